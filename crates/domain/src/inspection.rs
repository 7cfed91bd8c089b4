//! 双随机、一公开 (004 二十七): an inspection draw picks N institutions (or
//! classes) in scope and M inspectors from their published lists, with a
//! seed published before the draw, so that anyone can re-run it and get
//! the same result. Pure: the lists and the seed in, the draw out.
//!
//! # The algorithm (version 1)
//!
//! Inputs: the seed, a text (UTF-8), published before the draw; the
//! candidate list of institutions (or classes) and of inspectors, each a
//! list of identifiers (credit codes, 班级编号, inspector numbers); the
//! numbers N and M.
//!
//! 1. **Candidates.** In each list, trim spaces from each identifier, drop
//!    empty ones and duplicates, and sort ascending by the identifiers'
//!    UTF-8 bytes. The published *list digest* is the lowercase hex
//!    SHA-256 of the sorted identifiers each followed by `\n`.
//! 2. **Random stream.** Each list has its own label: `institutions` for
//!    the first, `inspectors` for the second. Block `j` (j = 0, 1, 2, …) is
//!    `SHA-256(seed ‖ 0x00 ‖ label ‖ 0x00 ‖ j)`, with `j` as 8 bytes
//!    big-endian. The stream is block 0, block 1, … read as consecutive
//!    unsigned 64-bit big-endian integers (four per block).
//! 3. **Uniform integer below k** (k ≥ 1): with `zone = 2^64 − (2^64 mod k)`,
//!    take the next integer `x` of the stream; if `x < zone` the result is
//!    `x mod k`, otherwise take the next one and try again (no bias).
//! 4. **Partial Fisher–Yates.** With the sorted list `a` of length L, for
//!    `i = 0 … n−1`: `j = i + uniform(L − i)`; swap `a[i]` and `a[j]`. The
//!    draw is `a[0] … a[n−1]`, in that order.
//!
//! In Python, for instance:
//!
//! ```text
//! def draw(seed, label, items, n):
//!     a = sorted({x.strip() for x in items if x.strip()}, key=str.encode)
//!     def stream():
//!         j = 0
//!         while True:
//!             b = sha256(seed.encode() + b"\0" + label.encode() + b"\0"
//!                        + j.to_bytes(8, "big")).digest()
//!             for i in range(4):
//!                 yield int.from_bytes(b[8*i:8*i+8], "big")
//!             j += 1
//!     s = stream()
//!     def uniform(k):
//!         zone = 2**64 - 2**64 % k
//!         while True:
//!             x = next(s)
//!             if x < zone:
//!                 return x % k
//!     for i in range(n):
//!         j = i + uniform(len(a) - i)
//!         a[i], a[j] = a[j], a[i]
//!     return a[:n]
//! ```

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::ValueError;

/// A 检查人员 row of the `inspectors` template: the published list the
/// draw picks inspectors from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectorRecord {
    /// 检查人员编号, what the draw lists and publishes.
    pub code: String,
    pub name: String,
    /// 所在单位
    pub unit: String,
}

/// The algorithm version published with each draw.
pub const ALGORITHM: &str = "jineng-draw-v1";

/// A draw, with what anyone needs to re-run it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Draw {
    pub algorithm: &'static str,
    pub seed: String,
    pub institutions: Vec<String>,
    pub inspectors: Vec<String>,
    /// Digests of the sorted candidate lists the draw was made from.
    pub institutions_digest: String,
    pub inspectors_digest: String,
    pub institution_candidates: usize,
    pub inspector_candidates: usize,
}

/// Draws `n` institutions and `m` inspectors with `seed`.
pub fn draw(
    seed: &str,
    institutions: &[String],
    n: usize,
    inspectors: &[String],
    m: usize,
) -> Result<Draw, ValueError> {
    if seed.trim().is_empty() {
        return Err(ValueError::new("随机种子不能为空：请在抽取前公布种子"));
    }
    let inst = candidates(institutions);
    let insp = candidates(inspectors);
    let picked_inst = pick(seed, "institutions", &inst, n, "检查对象")?;
    let picked_insp = pick(seed, "inspectors", &insp, m, "检查人员")?;
    Ok(Draw {
        algorithm: ALGORITHM,
        seed: seed.to_string(),
        institutions: picked_inst,
        inspectors: picked_insp,
        institutions_digest: list_digest(&inst),
        inspectors_digest: list_digest(&insp),
        institution_candidates: inst.len(),
        inspector_candidates: insp.len(),
    })
}

/// Step 1: trimmed, without empties and duplicates, sorted by bytes.
pub fn candidates(list: &[String]) -> Vec<String> {
    let mut v: Vec<String> = list
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// SHA-256 of the sorted identifiers, each followed by `\n`, in hex.
pub fn list_digest(sorted: &[String]) -> String {
    let mut h = Sha256::new();
    for s in sorted {
        h.update(s.as_bytes());
        h.update(b"\n");
    }
    crate::hex::encode(&h.finalize())
}

/// Step 2: the random stream of one list.
struct Stream<'a> {
    seed: &'a str,
    label: &'a str,
    block: u64,
    words: Vec<u64>,
}

impl Stream<'_> {
    fn next_u64(&mut self) -> u64 {
        if self.words.is_empty() {
            let mut h = Sha256::new();
            h.update(self.seed.as_bytes());
            h.update([0]);
            h.update(self.label.as_bytes());
            h.update([0]);
            h.update(self.block.to_be_bytes());
            self.block += 1;
            let out = h.finalize();
            // Kept reversed so that pop() yields them in order.
            self.words = out
                .chunks(8)
                .rev()
                .map(|c| u64::from_be_bytes(c.try_into().expect("8 bytes")))
                .collect();
        }
        self.words.pop().expect("a block has four words")
    }

    /// Step 3: uniform below `k` by rejection.
    fn uniform(&mut self, k: u64) -> u64 {
        let span = 1u128 << 64;
        let zone = span - span % u128::from(k);
        loop {
            let x = self.next_u64();
            if u128::from(x) < zone {
                return x % k;
            }
        }
    }
}

/// Step 4: the first `n` of a partial Fisher–Yates shuffle.
fn pick(
    seed: &str,
    label: &str,
    sorted: &[String],
    n: usize,
    what: &str,
) -> Result<Vec<String>, ValueError> {
    if n == 0 {
        return Err(ValueError::new(format!("抽取的{what}数量应不小于 1")));
    }
    if n > sorted.len() {
        return Err(ValueError::new(format!(
            "要抽取 {n} 名（家）{what}，但名单只有 {} 个",
            sorted.len()
        )));
    }
    let mut a = sorted.to_vec();
    let mut s = Stream {
        seed,
        label,
        block: 0,
        words: Vec::new(),
    };
    for i in 0..n {
        let j = i + s.uniform((a.len() - i) as u64) as usize;
        a.swap(i, j);
    }
    a.truncate(n);
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = "聊城市人社局 2019-12-01 双随机抽查";

    fn lists() -> (Vec<String>, Vec<String>) {
        (
            (1..=20).map(|i| format!("I{i:02}")).collect(),
            (1..=8).map(|i| format!("张{i:02}")).collect(),
        )
    }

    #[test]
    fn the_draw_matches_an_independent_implementation_of_the_documented_algorithm() {
        // Computed with the Python of the module doc.
        let (inst, insp) = lists();
        let d = draw(SEED, &inst, 5, &insp, 3).unwrap();
        assert_eq!(d.institutions, ["I04", "I11", "I10", "I03", "I17"]);
        assert_eq!(d.inspectors, ["张07", "张03", "张05"]);
        assert_eq!(
            d.institutions_digest,
            "4337178fb0af2cf163cdaf81bd2b199709ad8b864a588a639bf157a95c23cdf4"
        );
        assert_eq!((d.institution_candidates, d.inspector_candidates), (20, 8));
    }

    #[test]
    fn the_same_seed_gives_the_same_draw_whatever_the_list_order() {
        let (inst, insp) = lists();
        let a = draw(SEED, &inst, 5, &insp, 3).unwrap();
        let mut shuffled: Vec<String> = inst.iter().rev().cloned().collect();
        shuffled.push(" I01 ".into());
        let b = draw(SEED, &shuffled, 5, &insp, 3).unwrap();
        assert_eq!(a, b);
        let c = draw("聊城市人社局 2019-12-02 双随机抽查", &inst, 5, &insp, 3).unwrap();
        assert_ne!(a.institutions, c.institutions);
    }

    #[test]
    fn every_candidate_can_be_drawn_and_the_whole_list_is_a_permutation() {
        let (inst, insp) = lists();
        let all = draw(SEED, &inst, 20, &insp, 8).unwrap();
        let mut sorted = all.institutions.clone();
        sorted.sort();
        assert_eq!(sorted, inst);
    }

    #[test]
    fn impossible_draws_are_refused_in_chinese() {
        let (inst, insp) = lists();
        let e = draw(SEED, &inst, 21, &insp, 3).unwrap_err();
        assert!(e.message().contains("名单只有 20 个"), "{e}");
        assert!(
            draw(" ", &inst, 1, &insp, 1)
                .unwrap_err()
                .message()
                .contains("种子")
        );
        assert!(draw(SEED, &inst, 1, &insp, 0).is_err());
    }
}
