//! The password rule, applied wherever a password is set (own change,
//! an officer's reset, a new account, the CLI): at most
//! [`MAX_CHARS`] characters (checked first, before anything costly), not
//! containing the login name, and strong by the zxcvbn estimator (score 3
//! or more: beyond about 10^10 guesses). Refusals say in Chinese what is
//! wrong. Generated passwords are drawn until they pass.

use crate::auth::secret;
use zxcvbn::Score;
use zxcvbn::feedback::Warning;

/// The longest password accepted.
pub const MAX_CHARS: usize = 128;
/// Login names shorter than this are not looked for inside passwords
/// (a one-letter login would forbid that letter).
const MIN_LOGIN_CHARS: usize = 3;

/// The rule, as the pages state it.
pub const RULE: &str =
    "密码至少 10 位、不超过 128 个字符，须不易猜测（强度评估达到“强”），且不能包含登录名";

/// Checks a new password for the account `login`; the error says what is
/// wrong.
pub fn check(login: &str, password: &str) -> Result<(), String> {
    // Counted without walking a huge input to its end.
    if password.chars().nth(MAX_CHARS).is_some() {
        return Err(format!("密码过长：不能超过 {MAX_CHARS} 个字符"));
    }
    if password.chars().count() < 10 {
        return Err("密码过短：至少 10 位".into());
    }
    let login = login.trim();
    if login.chars().count() >= MIN_LOGIN_CHARS
        && password.to_lowercase().contains(&login.to_lowercase())
    {
        return Err(format!("密码不能包含登录名「{login}」"));
    }
    let e = zxcvbn::zxcvbn(password, &[login]);
    if e.score() >= Score::Three {
        return Ok(());
    }
    let why = e
        .feedback()
        .and_then(|f| f.warning())
        .map(warning_zh)
        .unwrap_or("容易被猜出");
    Err(format!(
        "密码强度不够：{why}。请使用更长、无规律的组合，例如几个不相关的词语加数字和符号"
    ))
}

fn warning_zh(w: Warning) -> &'static str {
    match w {
        Warning::StraightRowsOfKeysAreEasyToGuess
        | Warning::ShortKeyboardPatternsAreEasyToGuess => "含有键盘上相邻按键的排列（如 qwerty）",
        Warning::RepeatsLikeAaaAreEasyToGuess => "含有重复的字符（如 aaa）",
        Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => "含有重复的片段（如 abcabc）",
        Warning::ThisIsATop10Password
        | Warning::ThisIsATop100Password
        | Warning::ThisIsACommonPassword
        | Warning::ThisIsSimilarToACommonlyUsedPassword => "这是常见密码或与常见密码相似",
        Warning::SequencesLikeAbcAreEasyToGuess => "含有连续的序列（如 abc、123）",
        Warning::RecentYearsAreEasyToGuess | Warning::DatesAreOftenEasyToGuess => "含有年份或日期",
        Warning::AWordByItselfIsEasyToGuess => "只是一个常见单词",
        Warning::NamesAndSurnamesByThemselvesAreEasyToGuess
        | Warning::CommonNamesAndSurnamesAreEasyToGuess => "只是常见的姓名",
    }
}

/// A fresh random password for `login` that passes [`check`].
pub fn generate(login: &str) -> String {
    loop {
        let p = secret::password();
        if check(login, &p).is_ok() {
            return p;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_long_and_login_bearing_passwords_are_refused() {
        let weak = check("auditor", "aaaaaaaaa1").unwrap_err();
        assert!(weak.contains("强度不够"), "{weak}");
        let named = check("zhangsan", "xZhangSan!Qv82#lm").unwrap_err();
        assert!(named.contains("登录名"), "{named}");
        let long = "Ab3$".repeat(25_001);
        assert_eq!(long.chars().count(), 100_004);
        assert!(check("auditor", &long).unwrap_err().contains("过长"));
        assert!(check("auditor", "correct horse battery staple 7").is_ok());
        assert!(check("auditor", "技能提升行动，聊城2026年度审计").is_ok());
    }

    #[test]
    fn generated_passwords_pass() {
        for login in ["city", "a", "worker"] {
            for _ in 0..50 {
                assert!(check(login, &generate(login)).is_ok());
            }
        }
    }
}
