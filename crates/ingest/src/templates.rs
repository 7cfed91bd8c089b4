//! The import templates of `docs/spec/TEMPLATES.md` as static data.
//!
//! The column names are the contract with users (their spreadsheets already
//! carry these headers), so they are spelled exactly as in the spec; `help`
//! is the rule shown to users in the template's 填写说明 sheet.

/// One column of an import template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Header text, without the `*` that marks required columns.
    pub name: &'static str,
    pub required: bool,
    /// Chinese instruction for filling in the column.
    pub help: &'static str,
}

/// One import template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateSpec {
    /// Name on the command line and in the API, e.g. `roster`.
    pub kind: &'static str,
    /// Chinese title, e.g. 花名册; also the preferred sheet name.
    pub title: &'static str,
    pub columns: &'static [ColumnSpec],
}

impl TemplateSpec {
    /// The column named `name`, if the template has one.
    pub fn column(&self, name: &str) -> Option<&'static ColumnSpec> {
        self.columns.iter().find(|c| c.name == name)
    }
}

const fn req(name: &'static str, help: &'static str) -> ColumnSpec {
    ColumnSpec {
        name,
        required: true,
        help,
    }
}

const fn opt(name: &'static str, help: &'static str) -> ColumnSpec {
    ColumnSpec {
        name,
        required: false,
        help,
    }
}

const REGION: &str = "6 位行政区划代码，如 371502";
const LEVEL: &str = "五级/初级工、四级/中级工、三级/高级工、二级/技师、一级/高级技师（也可只写“五级”或“初级工”等）；专项职业能力留空";
const OCCUPATION: &str = "国家职业分类编码，如 6-31-01-03";
const KNOWN_PERSON: &str = "18 位身份证号码，须为已导入人员信息的人员";

static PERSONS: &[ColumnSpec] = &[
    req("姓名", "1～50 个字符；少数民族或外文姓名可含间隔号“·”"),
    req(
        "身份证号码",
        "18 位居民身份证号码，末位校验码须正确（小写 x 按 X 处理）；前 6 位须为存在的省份的行政区划代码（旧证中已撤销的县级代码仍有效）；出生日期须真实且不晚于今天",
    ),
    opt(
        "性别",
        "男/女；须与身份证号码一致（第 17 位为奇数是男，偶数是女）",
    ),
    opt("出生日期", "须与身份证号码中的出生日期一致"),
    opt("民族", "选填，如 汉族"),
    opt("文化程度", "选填，如 高中、大专"),
    opt("联系电话", "选填；填写时须为有效的大陆手机号码或固定电话"),
    req("户籍地", REGION),
    opt("常住地", REGION),
    opt("求职就业地", REGION),
    opt("是否领取养老金", "是/否，留空按“否”处理"),
    opt(
        "社保卡银行账号",
        "选填；补贴发放到社会保障卡的银行账户（金融账户）：16～19 位数字，末位校验位须正确；请将单元格设为文本格式。留空则保留已登记的账号",
    ),
    opt(
        "开户银行",
        "填写了社保卡银行账号时必填，如 中国工商银行聊城分行",
    ),
];

static CATEGORIES: &[ColumnSpec] = &[
    req("身份证号码", KNOWN_PERSON),
    req(
        "人员类别",
        "人员类别名称，如 登记失业人员、农村转移就业劳动者、贫困劳动力、贫困家庭子女、两后生、高校毕业生、退役军人、残疾人、就业困难人员、企业职工 等",
    ),
    req("起始日期", "该人员类别的起始日期"),
    opt("截止日期", "该人员类别的截止日期；留空表示长期有效"),
    opt("证明材料", "证明材料，如《就业创业证》编号"),
];

static RELATIONS: &[ColumnSpec] = &[
    req("身份证号码", KNOWN_PERSON),
    req("亲属身份证号码", KNOWN_PERSON),
    req(
        "关系",
        "亲属与本人的关系：父母、子女、配偶、祖父母、孙子女 之一",
    ),
];

static INSTITUTIONS: &[ColumnSpec] = &[
    req("机构名称", "培训机构全称"),
    req(
        "统一社会信用代码",
        "18 位统一社会信用代码，末位校验码须正确",
    ),
    req(
        "机构类型",
        "如 职业院校、技工院校、民办培训机构、企业培训中心、公共实训基地、评价机构、企业 等",
    ),
    req("所在地", REGION),
    opt("是否目录内", "是否列入培训机构目录：是/否"),
    opt("目录起始日期", "列入目录的起始日期"),
    opt("目录截止日期", "列入目录的截止日期"),
    opt(
        "银行账号",
        "选填；补贴支付给机构或企业时的对公结算账号：8～32 位数字，请将单元格设为文本格式。留空则保留已登记的账号",
    ),
    opt("开户银行", "填写了银行账号时必填"),
];

static CLASSES: &[ColumnSpec] = &[
    req("班级编号", "同一培训机构内不得重复"),
    req(
        "统一社会信用代码",
        "开班培训机构的统一社会信用代码，须为已导入的培训机构",
    ),
    req(
        "培训类型",
        "如 就业技能培训、岗位技能提升培训、创业培训、新型学徒制、项目制培训、以工代训 等",
    ),
    req("职业编码", OCCUPATION),
    opt("职业名称", "选填；填写时须与职业编码一致"),
    opt("等级", LEVEL),
    req("培训地", "培训实施地的 6 位行政区划代码"),
    req("开班日期", "不得晚于结业日期"),
    req("结业日期", "不得早于开班日期"),
    req("计划课时", "计划培训课时，须为正数"),
    opt(
        "是否列入培训计划",
        "是/否：是否列入当地培训计划（新型学徒制按此决定可否预支）；留空表示未说明",
    ),
    opt(
        "授课教师姓名",
        "选填；与授课教师身份证号码同时填写（用于核查同一教师同时授课）",
    ),
    opt(
        "授课教师身份证号码",
        "选填；18 位居民身份证号码，与授课教师姓名同时填写",
    ),
];

static ROSTER: &[ColumnSpec] = &[
    req("班级编号", "须为已导入的培训班"),
    req("统一社会信用代码", "培训班所属培训机构的统一社会信用代码"),
    req("姓名", "须与身份证号码对应人员的姓名一致"),
    req("身份证号码", KNOWN_PERSON),
    opt("线下课时", "实际参加的线下课时，不得超过培训班计划课时"),
    opt("线上课时", "实际参加的线上课时，不得超过培训班计划课时"),
    opt("结业结果", "合格、不合格、未结业 之一"),
];

static CERTIFICATES: &[ColumnSpec] = &[
    req("证书编号", "同一证书类型内不得重复"),
    req(
        "证书类型",
        "职业资格证书、职业技能等级证书、专项职业能力证书、特种作业操作证书、培训合格证书 之一",
    ),
    req("姓名", "持证人姓名，须与身份证号码对应人员的姓名一致"),
    req("身份证号码", KNOWN_PERSON),
    req("职业编码", OCCUPATION),
    opt("等级", LEVEL),
    req("发证日期", "证书上的发证日期"),
    req("发证机构", "发证或评价机构的 18 位统一社会信用代码"),
    opt("班级编号", "参加培训的班级编号（已知时填写）"),
];

static CLAIMS: &[ColumnSpec] = &[
    req("申领编号", "不得重复"),
    req(
        "补贴类型",
        "如 职业培训补贴、技能提升补贴、生活费补贴、新型学徒制补贴、以工代训补贴、创业培训补贴、项目制培训补贴 等",
    ),
    req("身份证号码", "受训人员的 18 位身份证号码"),
    opt("证书编号", "按证书申领的补贴填写"),
    opt("班级编号", "按培训班申领的补贴填写"),
    opt(
        "统一社会信用代码",
        "按培训班申领的补贴填写：培训班所属培训机构的统一社会信用代码",
    ),
    opt(
        "申领单位",
        "由培训机构或企业申领时，填写其 18 位统一社会信用代码",
    ),
    req("申请日期", "提交申领的日期"),
    opt("月数", "以工代训补贴的月数"),
    opt(
        "起始月份",
        "以工代训补贴所补贴的第一个月，如 2020-03；与截止月份同时填写",
    ),
    opt(
        "截止月份",
        "以工代训补贴所补贴的最后一个月，如 2020-08；同一人同一月份只补贴一次",
    ),
    opt(
        "申请金额",
        "单位：元，最多两位小数；选填（系统按标准核定金额）",
    ),
];

/// Jineng's addition to docs/spec/TEMPLATES.md: a deployment's own regions (functional
/// zones without a national code) and flags such as 深度贫困县.
static REGIONS: &[ColumnSpec] = &[
    req(
        "区划代码",
        "6 位代码。国家代码只能设置标志、不能改名；本地自设的功能区（开发区、度假区等）自编一个未被国家使用的代码，第 5 位建议为 7",
    ),
    req("名称", "区划名称，1～50 个字符；国家代码须与国家名称一致"),
    opt(
        "上级区划代码",
        "新增功能区时必填：所属地级市（或省）的 6 位代码",
    ),
    opt("是否深度贫困县", "是/否；留空则不改变"),
];

/// 比对名单 (docs/spec/SUPERVISION.md): other departments' lists that check S4 and S5
/// compare trainees with. A person not in 人员信息 is kept.
static WATCHLIST: &[ColumnSpec] = &[
    req(
        "名单类型",
        "死亡、财政供养、服刑、在校学生、领取养老金、在职参保 之一",
    ),
    req(
        "身份证号码",
        "18 位居民身份证号码；不在人员信息中的人员也保留，供以后导入时比对",
    ),
    req("姓名", "该人员已在人员信息中时，须与其姓名一致"),
    req(
        "起始日期",
        "死亡日期，或开始财政供养、领取养老金、参保、在校、服刑的日期",
    ),
    opt("截止日期", "选填，不得早于起始日期；留空表示至今"),
    req("来源", "发布部门和批次，如 市社保中心 2019-12"),
    opt("参保单位", "选填，仅在职参保：参保单位的统一社会信用代码"),
];

/// 线上学习记录 (Jineng's addition): a learning platform's log of each
/// trainee's online sessions, read by check S10.
static SESSIONS: &[ColumnSpec] = &[
    req("身份证号码", KNOWN_PERSON),
    req("姓名", "须与身份证号码对应人员的姓名一致"),
    req("班级编号", "须为已导入的培训班"),
    req("统一社会信用代码", "培训班所属培训机构的统一社会信用代码"),
    req("学习平台", "线上学习平台名称，1～50 个字符"),
    req(
        "开始时间",
        "日期加时刻，如 2024-03-02 08:05；同一人同一班级同一平台同一开始时间为同一条记录",
    ),
    req("结束时间", "日期加时刻，须晚于开始时间"),
];

/// 检查人员 (双随机、一公开): the published list inspection draws pick from.
static INSPECTORS: &[ColumnSpec] = &[
    req(
        "检查人员编号",
        "1～32 个字符，同一名单内不得重复；抽查结果公布此编号",
    ),
    req("姓名", "检查人员姓名"),
    opt("所在单位", "选填，如 市人社局就业科"),
];

/// All templates, in the order of `docs/spec/TEMPLATES.md`, then Jineng's own.
pub static TEMPLATES: &[TemplateSpec] = &[
    TemplateSpec {
        kind: "persons",
        title: "人员信息",
        columns: PERSONS,
    },
    TemplateSpec {
        kind: "categories",
        title: "人员类别",
        columns: CATEGORIES,
    },
    TemplateSpec {
        kind: "relations",
        title: "家庭关系",
        columns: RELATIONS,
    },
    TemplateSpec {
        kind: "institutions",
        title: "培训机构",
        columns: INSTITUTIONS,
    },
    TemplateSpec {
        kind: "classes",
        title: "培训班",
        columns: CLASSES,
    },
    TemplateSpec {
        kind: "roster",
        title: "花名册",
        columns: ROSTER,
    },
    TemplateSpec {
        kind: "certificates",
        title: "证书",
        columns: CERTIFICATES,
    },
    TemplateSpec {
        kind: "claims",
        title: "补贴申领",
        columns: CLAIMS,
    },
    TemplateSpec {
        kind: "regions",
        title: "行政区划",
        columns: REGIONS,
    },
    TemplateSpec {
        kind: "watchlist",
        title: "比对名单",
        columns: WATCHLIST,
    },
    TemplateSpec {
        kind: "inspectors",
        title: "检查人员",
        columns: INSPECTORS,
    },
    TemplateSpec {
        kind: "sessions",
        title: "线上学习记录",
        columns: SESSIONS,
    },
];

/// The template whose `kind` is `kind` (e.g. `"roster"`).
pub fn template(kind: &str) -> Option<&'static TemplateSpec> {
    TEMPLATES.iter().find(|t| t.kind == kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn kinds_in_order_and_found() {
        let kinds: Vec<_> = TEMPLATES.iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            [
                "persons",
                "categories",
                "relations",
                "institutions",
                "classes",
                "roster",
                "certificates",
                "claims",
                "regions",
                "watchlist",
                "inspectors",
                "sessions"
            ]
        );
        assert_eq!(template("roster").unwrap().title, "花名册");
        assert!(template("nope").is_none());
    }

    #[test]
    fn columns_unique_clean_and_documented() {
        for t in TEMPLATES {
            let mut seen = HashSet::new();
            for c in t.columns {
                assert!(seen.insert(c.name), "{}: duplicate {}", t.kind, c.name);
                assert!(!c.name.contains('*') && !c.name.contains(' '));
                assert!(!c.help.is_empty(), "{}: {} has no help", t.kind, c.name);
            }
            assert!(t.columns.iter().any(|c| c.required));
        }
    }
}
