//! Post/redirect/get: every HTML form POST that succeeds answers 303 See
//! Other to a GET page, and what it did travels as a flash — a one-shot
//! message kept in server memory under the session (the hash of its
//! cookie), taken by the next full-page GET of that session and shown at
//! the top of the page (`base.html`). Reloading the result page is a plain
//! GET: no 405, no resubmit prompt, no second filing.
//!
//! Kept in memory like the upload jobs: nothing of it reaches the database
//! or a cookie, so a secret shown once (a new password or API token) is
//! never stored. A flash nobody takes expires after [`TTL`].

mod fields;

pub use fields::{FieldErrors, escape};

use crate::AppState;
use crate::auth::User;
use crate::error::AppError;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an untaken flash is kept.
pub const TTL: Duration = Duration::from_secs(300);
/// The most flashes kept at once (the oldest go first).
const MAX: usize = 10_000;

/// One line of a flash: a record the POST made, linked, with its outcome.
#[derive(Clone, Debug)]
pub struct FlashLine {
    pub href: String,
    pub label: String,
    pub note: String,
    /// Shown in the refusal style (e.g. a claim 不予核准).
    pub refused: bool,
}

/// What a POST did, for the page it redirects to.
#[derive(Clone, Default)]
pub struct Flash {
    /// A refusal (red, `role="alert"`) rather than a success (green).
    pub refused: bool,
    pub text: String,
    pub lines: Vec<FlashLine>,
    /// A secret shown this once, with what it belongs to (the page that
    /// shows it decides where).
    pub secret: Option<(String, String)>,
    /// The person whose full ID number the officer asked to see.
    pub reveal: Option<i64>,
}

impl std::fmt::Debug for Flash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flash")
            .field("refused", &self.refused)
            .field("text", &self.text)
            .field("lines", &self.lines.len())
            .field("secret", &self.secret.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Flash {
    pub fn done(text: impl Into<String>) -> Flash {
        Flash {
            text: text.into(),
            ..Flash::default()
        }
    }

    pub fn refused(text: impl Into<String>) -> Flash {
        Flash {
            refused: true,
            text: text.into(),
            ..Flash::default()
        }
    }
}

/// The flashes waiting, by session hash.
#[derive(Default)]
pub struct Flashes(Mutex<HashMap<String, (Instant, Flash)>>);

impl Flashes {
    pub fn put(&self, session: &str, flash: Flash) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        m.retain(|_, (at, _)| now.duration_since(*at) < TTL);
        while m.len() >= MAX {
            let Some(oldest) = m
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            m.remove(&oldest);
        }
        m.insert(session.to_string(), (now, flash));
    }

    /// Takes the session's flash only if `wanted` accepts it.
    pub fn take_if(&self, session: &str, wanted: impl Fn(&Flash) -> bool) -> Option<Flash> {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match m.get(session) {
            Some((_, f)) if wanted(f) => m
                .remove(session)
                .filter(|(at, _)| at.elapsed() < TTL)
                .map(|(_, f)| f),
            _ => None,
        }
    }

    pub fn take(&self, session: &str) -> Option<Flash> {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        m.remove(session)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, f)| f)
    }
}

/// 303 See Other to `to`, leaving `flash` for the session's next page.
pub fn see_other(state: &AppState, user: &User, to: &str, flash: Flash) -> Response {
    if let Some(h) = &user.session_hash {
        state.flashes.put(h, flash);
    }
    Redirect::to(to).into_response()
}

/// A button's action (no typed input to keep): success goes back to `to`
/// with what it did; a refusal is answered as before (400 with the
/// reason, nothing changed, so a reload only repeats the refusal), like
/// 403 and CSRF.
pub fn after_action(
    state: &AppState,
    user: &User,
    to: &str,
    result: Result<Flash, AppError>,
) -> Result<Response, AppError> {
    result.map(|f| see_other(state, user, to, f))
}

/// A path segment percent-encoded for a `Location` header (claim and case
/// numbers are imported text).
pub fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flash_is_taken_once() {
        let f = Flashes::default();
        f.put("s", Flash::done("已保存"));
        assert_eq!(f.take("s").map(|f| f.text), Some("已保存".into()));
        assert!(f.take("s").is_none());
        assert!(f.take("other").is_none());
    }
}
