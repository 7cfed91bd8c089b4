//! RFC 8785 against its reference implementation's test data
//! (`tests/vectors/jcs/`, see its README): each input canonicalises to its
//! output byte for byte (and to the hex of `outhex/`), and the number
//! formatting reproduces the reference generator's ES6 test file, checked
//! by the SHA-256 the reference publishes for its first million lines.

use jineng_credentials::{jcs, json};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/jcs")
}

#[test]
fn every_input_canonicalises_to_its_output() {
    for name in [
        "arrays",
        "french",
        "structures",
        "unicode",
        "values",
        "weird",
    ] {
        let input = std::fs::read_to_string(vectors().join(format!("input/{name}.json"))).unwrap();
        let output = std::fs::read(vectors().join(format!("output/{name}.json"))).unwrap();
        let hex = std::fs::read_to_string(vectors().join(format!("outhex/{name}.txt"))).unwrap();
        let from_hex: Vec<u8> = hex
            .split_whitespace()
            .map(|h| u8::from_str_radix(h, 16).unwrap())
            .collect();
        assert_eq!(output, from_hex, "{name}: the two expected forms agree");
        let got = jcs::canonicalize(&json::parse(&input).unwrap()).unwrap();
        assert_eq!(
            got.as_bytes(),
            &output[..],
            "{name}:\n got  {got}\n want {}",
            String::from_utf8_lossy(&output)
        );
        // Canonical text is a fixed point.
        let again = jcs::canonicalize(&json::parse(&got).unwrap()).unwrap();
        assert_eq!(again, got, "{name}");
    }
}

/// The reference's deterministic sequence of doubles (`numgen.go`): the
/// static edge cases, 2000 consecutive subnormal-adjacent values, then
/// doubles from a SHA-256 chain.
struct NumGen {
    statics: Vec<u64>,
    idx: usize,
    block: [u8; 32],
    data: Vec<u8>,
}

impl NumGen {
    fn new() -> NumGen {
        let text = std::fs::read_to_string(vectors().join("numgen_static.txt")).unwrap();
        let statics = text
            .lines()
            .map(|l| u64::from_str_radix(l.trim_start_matches("0x"), 16).unwrap())
            .collect();
        NumGen {
            statics,
            idx: 0,
            block: [0; 32],
            data: Vec::new(),
        }
    }

    fn next(&mut self) -> f64 {
        const SERIAL: usize = 2000;
        let n = self.statics.len();
        let f = if self.idx < n {
            f64::from_bits(self.statics[self.idx])
        } else if self.idx < n + SERIAL {
            f64::from_bits(0x0010_0000_0000_0000 + (self.idx - n) as u64)
        } else {
            let mut f = 0.0f64;
            while f == 0.0 || !f.is_finite() {
                if self.data.is_empty() {
                    self.block = Sha256::digest(self.block).into();
                    self.data = self.block.to_vec();
                }
                let bits = u64::from_le_bytes(self.data[..8].try_into().unwrap());
                f = f64::from_bits(bits);
                self.data.drain(..8);
            }
            f
        };
        self.idx += 1;
        f
    }
}

#[test]
fn numbers_match_the_reference_es6_test_file() {
    // testdata/README.md: SHA-256 of the first N lines of es6testfile100m.txt.
    let published = [
        (
            1_000,
            "be18b62b6f69cdab33a7e0dae0d9cfa869fda80ddc712221570f9f40a5878687",
        ),
        (
            10_000,
            "b9f7a8e75ef22a835685a52ccba7f7d6bdc99e34b010992cbc5864cd12be6892",
        ),
        (
            100_000,
            "22776e6d4b49fa294a0d0f349268e5c28808fe7e0cb2bcbe28f63894e494d4c7",
        ),
        (
            1_000_000,
            "49415fee2c56c77864931bd3624faad425c3c577d6d74e89a83bc725506dad16",
        ),
    ];
    let mut numbers = NumGen::new();
    let mut hash = Sha256::new();
    let mut line = String::new();
    let mut lines = 0;
    for (n, want) in published {
        while lines < n {
            let f = numbers.next();
            line.clear();
            line.push_str(&format!("{:x},", f.to_bits()));
            line.push_str(&jcs::number(f).unwrap());
            line.push('\n');
            hash.update(line.as_bytes());
            lines += 1;
        }
        let got: String = hash
            .clone()
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(got, want, "first {n} lines");
    }
}
