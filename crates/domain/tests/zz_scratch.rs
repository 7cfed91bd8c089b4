use jineng_domain::policy;
use jineng_domain::refdata::RefData;

fn load(files: &[(&str, &str)]) -> Result<policy::Policy, policy::PolicyError> {
    let mut read = |name: &str| files.iter().find(|(n, _)| *n == name).map(|(_, t)| t.to_string()).ok_or_else(|| "无".to_string());
    policy::load(files[0].0, &mut read, &RefData::default()).map(|(p, _)| p)
}

const HEAD: &str = "[policy]\nid = \"t\"\ntitle = \"t\"\ndoc_no = \"测试〔2019〕1号\"\nregion = \"620500\"\nvalid_from = \"2019-01-01\"\n";

#[test]
fn probe() {
    let cases = [
        "\n[rules.R99]\nclause = \"一\"\n",
        "\n[rules.R8]\nclause = \"九\"\nsubsidy_type = \"生活费补贴\"\ndeep_poverty_uplift_pct = 20\neligible = [\"贫困劳动力\"]\nrequire_completion = true\n",
        "\n[rules.R8]\nclause = \"九\"\nsubsidy_type = \"生活费补贴\"\ndaily = 30.5\ndeep_poverty_uplift_pct = 20\neligible = [\"贫困劳动力\"]\nrequire_completion = true\n",
        "\n[rules.R8]\nclause = \"九\"\nsubsidy_type = \"生活费补贴\"\ndaily = 30\nfoo = 1\ndeep_poverty_uplift_pct = 20\neligible = [\"贫困劳动力\"]\nrequire_completion = true\n",
        "\n[rules.R8]\nsubsidy_type = \"生活费补贴\"\ndaily = 30\ndeep_poverty_uplift_pct = 20\neligible = [\"贫困劳动力\"]\nrequire_completion = true\n",
        "\n[rules.R8]\nclause = \"九\"\nsubsidy_type = \"生活费补贴\"\ndaily = 30\ndeep_poverty_uplift_pct = 200\neligible = [\"贫困劳动力\"]\nrequire_completion = true\n",
        "\n[rules.R8]\nclause = \"九\"\nsubsidy_type = \"生活费补贴\"\ndaily = \"abc\"\ndeep_poverty_uplift_pct = 20\neligible = [\"贫困劳动力\"]\nrequire_completion = true\n",
        "\n[rules.R8]\nclause = \"九\"\nsubsidy_type = \"生活费补贴\"\ndaily = 30\ndeep_poverty_uplift_pct = 20\neligible = [\"贫困劳动力\"]\nrequire_completion = \"yes\"\n",
        "\n[rules.R1]\nclause = \"十\"\nsubsidy_type = \"职业培训补贴\"\ncert_types = [\"职业资格证书\"]\nplace_level = \"市\"\n[catalogue]\nentries = [\n  { occupation = \"6-31-01-03\", cert = \"职业资格证书\", level = \"四级\", yuan = 1500.5, from = \"2019-01-01\" },\n]\n",
        "\n[rules.R1]\nclause = \"十\"\nsubsidy_type = \"职业培训补贴\"\ncert_types = [\"职业资格证书\"]\nplace_level = \"市\"\n[catalogue]\nentries = [\n  { occupation = \"6-31-01-03\", cert = \"职业资格证书\", level = \"四级\", yuan = 1500, from = \"2019-01-01\" },\n  { occupation = \"6-31-01-03\", cert = \"职业资格证书\", level = \"四级\", yuan = 1500, from = \"2019-06-01\", to = \"2020-01-01\" },\n]\n",
        "\n[rules.R1]\nclause = \"十\"\nsubsidy_type = \"职业培训补贴\"\ncert_types = [\"职业资格证书\"]\nplace_level = \"市\"\n[catalogue]\nentries = [\n  { occupation = \"6-31-01-03\", cert = \"职业资格证书\", level = \"四级\", yuan = 1500, from = \"2019-01-01\", dept = \"人社局\" },\n  { occupation = \"6-31-01-03\", cert = \"职业资格证书\", level = \"四级\", yuan = 1200, from = \"2019-06-01\", dept = \"农业农村局\" },\n]\n",
        "\n[rules.R1]\nclause = \"十\"\nsubsidy_type = \"职业培训补贴\"\ncert_types = [\"职业资格证书\"]\nplace_level = \"市\"\n[catalogue]\nentries = [\n  { occupation = \"6-31-01-03\", cert = \"职业资格证书\", level = \"四级\", grade = \"A\", from = \"2019-01-01\" },\n]\n[catalogue.grades]\nA = { \"五级\" = 1000, \"四级\" = 1500.5 }\n",
    ];
    for c in cases {
        let t = format!("{HEAD}{c}");
        match load(&[("p.toml", &t)]) {
            Ok(_) => println!("OK"),
            Err(e) => println!("{e}"),
        }
    }
}
