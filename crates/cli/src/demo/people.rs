//! The demo's generated people: the seeded random source, names, ID numbers
//! and the categories a trainee holds.

use chrono::{Duration, NaiveDate};
use jineng_domain::{NationalId, Sex};
use std::collections::HashSet;

/// SplitMix64: tiny, deterministic across platforms and versions.
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    /// A whole number in `lo..=hi`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗",
];
const GIVEN_MALE: &[&str] = &[
    "伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "平", "刚", "建华", "志强", "春生",
];
const GIVEN_FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "秀英", "霞", "桂英", "玉兰", "海燕", "红梅",
];
/// Categories a trainee may hold, with their share in percent (the rest
/// hold none).
const CATEGORIES: &[(&str, usize)] = &[
    ("农村转移就业劳动者", 40),
    ("登记失业人员", 15),
    ("贫困劳动力", 10),
    ("企业职工", 20),
    ("高校毕业生", 8),
    ("退役军人", 4),
    ("残疾人", 3),
];

/// A category held from a date on.
pub(crate) type Held = (&'static str, NaiveDate);

/// One generated person.
pub(crate) struct Person {
    pub id: NationalId,
    pub name: String,
    pub birth: NaiveDate,
    pub hukou: String,
    pub pension: bool,
    pub categories: Vec<Held>,
}

impl Person {
    pub fn holds(&self, category: &str) -> bool {
        self.categories.iter().any(|(c, _)| *c == category)
    }
}

/// Makes persons with unique ID numbers.
pub(crate) struct People {
    seen: HashSet<String>,
}

impl People {
    pub fn new() -> People {
        People {
            seen: HashSet::new(),
        }
    }

    /// A new ID number for `county` and a birth date in `years`.
    pub fn id(
        &mut self,
        rng: &mut Rng,
        county: &str,
        years: (i32, i32),
    ) -> (NationalId, NaiveDate) {
        loop {
            let from = NaiveDate::from_ymd_opt(years.0, 1, 1).unwrap();
            let span = (NaiveDate::from_ymd_opt(years.1, 12, 31).unwrap() - from).num_days();
            let birth = from + Duration::days(rng.below(span as usize) as i64);
            let id = NationalId::from_parts(county, birth, rng.below(1000) as u16);
            if self.seen.insert(id.as_str().to_string()) {
                return (id, birth);
            }
        }
    }

    /// A trainee registered in `county`, aged 17–53 in 2019.
    pub fn person(&mut self, rng: &mut Rng, county: &str) -> Person {
        let (id, birth) = self.id(rng, county, (1966, 2002));
        let name = name_for(rng, id.sex());
        let mut roll = rng.below(100);
        let category = CATEGORIES.iter().find(|(_, p)| {
            let hit = roll < *p;
            roll = roll.saturating_sub(*p);
            hit
        });
        let since = NaiveDate::from_ymd_opt(2018, 1, 1).unwrap();
        Person {
            id,
            name,
            birth,
            hukou: county.to_string(),
            pension: false,
            categories: category.map(|(c, _)| (*c, since)).into_iter().collect(),
        }
    }

    /// Gives `p` a new ID number with a birth date in `years` (the ID
    /// carries the birth date and the sex).
    pub fn reborn(&mut self, rng: &mut Rng, p: &mut Person, years: (i32, i32)) {
        let county = p.id.as_str()[..6].to_string();
        let (id, birth) = self.id(rng, &county, years);
        p.name = name_for(rng, id.sex());
        p.id = id;
        p.birth = birth;
    }
}

fn name_for(rng: &mut Rng, sex: Sex) -> String {
    let given = if sex == Sex::Male {
        GIVEN_MALE
    } else {
        GIVEN_FEMALE
    };
    format!("{}{}", rng.pick(SURNAMES), rng.pick(given))
}

/// Banks issuing the demo's social-security cards.
const CARD_BANKS: &[&str] = &[
    "中国工商银行",
    "中国农业银行",
    "中国建设银行",
    "中国银行",
    "中国邮政储蓄银行",
];

/// The social-security card (社保卡 financial account, 19 digits with its
/// Luhn digit) and its bank of the person with `id`, derived from the ID
/// number so that the same seed gives the same cards without drawing from
/// the generator. `issue` 0 is the first card; about one person in a
/// forty has none registered (a batch leaves their claims out).
pub(crate) fn card(id: &NationalId, issue: u64) -> Option<(String, &'static str)> {
    // FNV-1a: stable across platforms and versions.
    let h = id.as_str().bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    if issue == 0 && h % 40 == 0 {
        return None;
    }
    let h = h.wrapping_add(issue.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let body = format!("622848{:012}", h % 1_000_000_000_000);
    let digit = jineng_domain::bank_account::luhn_digit(&body);
    Some((format!("{body}{digit}"), CARD_BANKS[(h % 5) as usize]))
}
