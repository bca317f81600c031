"""A synthetic portal of any size, for benchmarks and scale tests.

`generate(out_dir, CorpusSpec(...))` writes a complete portal repository (mkdocs.yml,
catalog/, content/) that passes gongkai's checks and is byte-identical for the same
spec: every choice comes from one seeded random generator, files are written in a
fixed order, and nothing depends on the clock or on hash order.

Text is made by recombining phrases (and, when given, sentences sampled from real
documents), so bodies look like government prose to the markdown renderer and the
segmenter without copying any document.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from .model import DEFAULT_TOPICS, FORMS
from .workdays import WorkdayCalendar

CITY = "示例市"
AS_OF = dt.date(2026, 11, 20)
KIND_SHARES = (("policy", 25), ("interpretation", 20), ("notice", 14), ("news", 20), ("report", 4),
               ("data", 7), ("guide", 6), ("other", 4))
VALIDITY_SHARES = (("valid", 72), ("amended", 10), ("abolished", 11), ("expired", 7))
POLICY_GENRES = ("通知", "意见", "办法", "决定", "规定", "细则", "方案", "通告", "公告", "批复", "函", "纪要")
SUB_TOPICS = {
    "农业、林业、水利": ("农业、畜牧业、渔业", "林业", "水利"),
    "城乡建设、环境保护": ("城市规划", "节能与资源综合利用", "市政公用事业", "住房"),
    "科技、教育": ("教育", "科技"),
    "民政、扶贫、救灾": ("社会救助", "减灾救灾", "扶贫"),
    "卫生、体育": ("卫生", "体育"),
}
TOPICS = tuple(t for t in DEFAULT_TOPICS if t not in ("国务院组织机构", "国防", "港澳台侨工作"))

AGENCIES = (
    ("示例市人民政府", "示政"), ("示例市人民政府办公室", "示政办"), ("示例市发展和改革委员会", "示发改"),
    ("示例市教育局", "示教"), ("示例市科学技术局", "示科"), ("示例市工业和信息化局", "示工信"),
    ("示例市公安局", "示公"), ("示例市民政局", "示民"), ("示例市司法局", "示司"), ("示例市财政局", "示财"),
    ("示例市人力资源和社会保障局", "示人社"), ("示例市自然资源和规划局", "示自然资规"),
    ("示例市生态环境局", "示环"), ("示例市住房和城乡建设局", "示建"), ("示例市交通运输局", "示交"),
    ("示例市水利局", "示水"), ("示例市农业农村局", "示农"), ("示例市商务局", "示商"),
    ("示例市文化和旅游局", "示文旅"), ("示例市卫生健康委员会", "示卫健"), ("示例市应急管理局", "示应急"),
    ("示例市审计局", "示审"), ("示例市市场监督管理局", "示市监"), ("示例市统计局", "示统"),
    ("示例市医疗保障局", "示医保"), ("示例市数据局", "示数据"), ("示例市城市管理局", "示城管"),
    ("示例市退役军人事务局", "示退役"),
)

# (id, title, parent, type, update, status, description); the first twelve are the standard set.
BASE_COLUMNS = (
    ("gzdt", "工作动态", None, "动态要闻", "weekly", "active", "市政府及各部门重要政务活动和重点工作进展。"),
    ("bmdt", "部门动态", "gzdt", "动态要闻", "biweekly", "active", "市政府各部门报送的工作动态。"),
    ("tzgg", "通知公告", None, "通知公告", "monthly", "active", "面向社会公众发布的通知、公告、公示和征求意见。"),
    ("zfwj", "政府文件", None, "政策文件", "monthly", "active", "市政府、市政府办公室及各部门制发的政策文件。"),
    ("gfxwj", "规范性文件", None, "政策文件", "irregular", "active", "行政规范性文件，标注有效性并定期清理。"),
    ("zcjd", "政策解读", None, "政策解读", "monthly", "active", "政策文件的文字解读、图解、问答、视频、发布会、专家和媒体解读。"),
    ("yshj", "优化营商环境专栏", None, "专题", "monthly", "active", "优化营商环境相关政策、解读和工作动态。"),
    ("msbz", "民生保障", None, "专题", "irregular", "active", "社会救助、养老服务、住房保障等民生领域信息。"),
    ("sjfb", "数据发布", None, "数据发布", "quarterly", "active", "统计数据和业务数据的定期发布。"),
    ("bszn", "办事指南", None, "办事服务", "irregular", "active", "政务服务事项的办理条件、材料、流程和时限。"),
    ("zwgk", "政务公开工作", None, "专题", "half-yearly", "active", "政务公开工作要点、年度报告和制度。"),
    ("jjpc", "第五次全国经济普查专栏", None, "专题", "irregular", "archived", "经济普查工作动态和数据公报，已归档。"),
)
EXTRA_COLUMN_SUBJECTS = ("乡村振兴", "安全生产", "生态环境保护", "教育发展", "医疗卫生", "就业创业", "城市更新",
                         "交通建设", "文化旅游", "数字政府", "科技创新", "养老服务", "食品安全", "防汛抗旱")
KIND_COLUMNS = {  # the column an entry of each kind naturally lives in
    "policy": "zfwj", "interpretation": "zcjd", "notice": "tzgg", "news": "gzdt", "report": "zwgk",
    "data": "sjfb", "guide": "bszn", "other": "zwgk",
}
TOPICAL = ("yshj", "msbz")

SUBJECTS = (
    "最低生活保障审核确认", "优化营商环境", "政务服务“一网通办”", "公共数据开放", "普惠性幼儿园扶持",
    "高标准农田建设", "住宅小区物业服务管理", "高校毕业生就业创业", "家庭医生签约服务", "特困人员救助供养",
    "建设项目环境影响评价审批", "“双随机、一公开”监管", "城市更新行动", "老旧小区改造", "生活垃圾分类管理",
    "中小企业纾困发展", "养老服务体系建设", "农村人居环境整治", "安全生产责任落实", "食品安全监督抽检",
    "公共租赁住房保障", "义务教育招生入学", "基本医疗保险门诊共济", "重点项目建设推进", "科技创新平台建设",
    "文化旅游消费促进", "城市道路交通秩序", "防汛抗旱应急响应", "行政规范性文件管理", "政府信息公开工作",
    "退役军人就业安置", "森林防火", "河湖长制", "耕地保护", "城市管理执法", "数字政府建设", "社会信用体系建设",
    "公共法律服务", "婴幼儿照护服务", "残疾人两项补贴", "临时救助", "人才引进", "外贸稳增长",
)
ACTIONS = ("进一步加强", "深入推进", "全面实施", "加快推进", "切实做好", "规范", "持续优化", "稳步推进", "做好")

# Fallback phrase bank: sentences are recombined from these parts.
OPENERS = ("为深入贯彻落实上级决策部署，", "根据有关法律法规规定，", "按照市委、市政府工作安排，", "结合我市实际，",
           "为进一步提升服务水平，", "经市政府同意，", "为切实保障人民群众合法权益，", "围绕年度重点任务，",
           "", "", "", "")
ACTORS = ("市政府各部门", "各县（市、区）人民政府", "各乡镇人民政府（街道办事处）", "市直各单位", "牵头单位",
          "责任单位", "各级行政机关", "市政务公开领导小组办公室", "有关部门", "各类市场主体")
VERBS = ("要切实加强", "应当及时公开", "要认真组织实施", "要进一步完善", "应当依法依规做好", "要统筹推进",
         "要建立健全", "要主动做好", "应当严格落实", "要定期开展")
OBJECTS = ("政策解读和回应关切工作", "信息发布审查机制", "权力清单和责任清单动态管理", "办事指南的标准化建设",
           "重大行政决策公众参与", "规范性文件的清理和备案", "政务服务事项的全流程公开", "数据资源的共享和开放",
           "监督检查和考核评估", "群众满意度调查", "基层政务公开标准化规范化工作", "突发事件信息发布")
ENDINGS = ("，确保各项任务落到实处", "，不断增强公开实效", "，切实保障群众知情权、参与权、表达权和监督权",
           "，形成工作合力", "，提高办事效率", "，做到应公开尽公开", "，接受社会监督", "")
QUESTIONS = ("出台的背景是什么", "主要内容有哪些", "适用范围是什么", "申请需要哪些材料", "办理时限是多久",
             "有哪些创新举措", "如何保障政策落地", "群众可以通过哪些渠道咨询", "什么时候开始施行", "与原政策相比有哪些变化")
HEADINGS = ("总体要求", "主要任务", "重点工作", "保障措施", "组织实施", "工作要求", "适用范围", "职责分工",
            "办理流程", "监督管理")
CN_NUMS = "一二三四五六七八九十"

_SENTENCE_END = re.compile(r"(?<=[。！？；])")
_UNSAFE_FOR_MARKDOWN = re.compile(r"[<>\[\]`*#|_~\\{}$@&=^]|\d{5,}|https?:|www\.")


@dataclass
class CorpusSpec:
    entries: int = 1000
    seed: int = 1
    columns: int = 12
    as_of: dt.date = AS_OF
    years: int = 3
    seed_texts: Path | None = None      # a directory of *.txt to sample sentences from
    theme_dir: Path | None = None       # custom_dir for the theme (absolute); default: this repo's


@dataclass
class Summary:
    entries: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    forms: dict[str, int] = field(default_factory=dict)
    validities: dict[str, int] = field(default_factory=dict)
    disclosures: dict[str, int] = field(default_factory=dict)
    embargoed: int = 0
    columns: int = 0


def default_theme_dir() -> Path:
    """theme_overrides/ of the repository this package is installed from (editable install)."""
    return Path(__file__).resolve().parents[2] / "theme_overrides"


def use_theme(portal_dir: Path, theme: Path | None = None) -> None:
    """Point a generated portal's mkdocs.yml at theme (default: this checkout's theme_overrides). A corpus is
    kept between runs of scripts/bench, and the checkout that made it, whose theme it names, may be gone."""
    path = Path(portal_dir) / "mkdocs.yml"
    text = path.read_text(encoding="utf-8")
    line = f"  custom_dir: {_custom_dir(theme)}"
    named = re.sub(r"(?m)^  custom_dir: .*$", lambda _: line, text, count=1)
    if named != text:
        path.write_text(named, encoding="utf-8")


def _custom_dir(theme: Path | None) -> str:
    """mkdocs.yml's custom_dir value for theme (default: this checkout's theme_overrides)."""
    return _q(str(Path(theme or default_theme_dir()).resolve()))


def load_seed_sentences(directory: Path | None) -> list[str]:
    """Sentences from real documents, usable as raw material: no markup characters,
    no long digit runs (nothing that could look like personal data), sensible length."""
    if directory is None or not Path(directory).is_dir():
        return []
    sentences: list[str] = []
    for path in sorted(Path(directory).glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for line in text.splitlines():
            for part in _SENTENCE_END.split(line.strip()):
                part = part.strip().replace("\t", "")
                if 12 <= len(part) <= 140 and part[-1] in "。！？；" and not _UNSAFE_FOR_MARKDOWN.search(part):
                    sentences.append(part)
    return sentences


def _shares(pairs) -> tuple[list[str], list[int]]:
    return [p[0] for p in pairs], [p[1] for p in pairs]


class _Writer:
    """Makes the portal's entries in memory, then writes them in a fixed order."""

    def __init__(self, spec: CorpusSpec):
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.calendar = WorkdayCalendar()
        self.seed_sentences = load_seed_sentences(spec.seed_texts)
        start = spec.as_of - dt.timedelta(days=365 * spec.years)
        day, self.workdays = start, []
        while day <= spec.as_of:
            if self.calendar.is_workday(day):
                self.workdays.append(day)
            day += dt.timedelta(days=1)
        self.workday_index = {d: i for i, d in enumerate(self.workdays)}
        self.serials: dict[tuple[str, int], int] = {}
        self.columns = self._columns()
        self.column_ids = [c[0] for c in self.columns]
        self.entries: list[dict] = []
        self.bodies: dict[str, str] = {}            # content-relative path -> markdown
        self.attachments: dict[str, bytes] = {}

    # -- columns ---------------------------------------------------------------------------
    def _columns(self) -> list[tuple]:
        count = max(1, self.spec.columns)
        columns = list(BASE_COLUMNS[:count])
        ids = {c[0] for c in columns}
        columns = [c if c[2] is None or c[2] in ids else c[:2] + (None,) + c[3:] for c in columns]
        for n in range(len(columns), count):
            subject = EXTRA_COLUMN_SUBJECTS[n % len(EXTRA_COLUMN_SUBJECTS)]
            columns.append((f"zt{n:03d}", f"{subject}专题（{n}）", None, "专题", "irregular", "active",
                            f"{subject}相关政策、解读和工作动态。"))
        return columns

    def _has(self, cid: str) -> bool:
        return cid in self.column_ids

    # -- small helpers -----------------------------------------------------------------------
    def new_id(self, agency: int, year: int) -> str:
        key = (AGENCIES[agency][0], year)
        self.serials[key] = self.serials.get(key, 0) + 1
        return f"113799{agency + 1:012d}/{year}-{self.serials[key]:05d}"

    def workday(self) -> dt.date:
        return self.workdays[self.rng.randrange(len(self.workdays))]

    def after_workdays(self, day: dt.date, count: int) -> dt.date:
        index = self.workday_index.get(day)
        if index is not None and index + count < len(self.workdays):
            return self.workdays[index + count]
        return self.calendar.add_workdays(day, count) if count else day

    def sentence_pool(self) -> list[str]:
        """Sentences to draw from: recombined phrases plus (when given) sampled real sentences."""
        rng = self.rng
        made = {f"{rng.choice(OPENERS)}{rng.choice(ACTORS)}{rng.choice(VERBS)}{rng.choice(OBJECTS)}{rng.choice(ENDINGS)}。"
                for _ in range(4000)}
        return sorted(made) + self.seed_sentences

    # -- entries -----------------------------------------------------------------------------
    # -- entries -----------------------------------------------------------------------------
    def make(self) -> None:
        spec, rng = self.spec, self.rng
        kinds, weights = _shares(KIND_SHARES)
        count = max(spec.entries, 0)
        fresh = self._fresh_columns()
        plan = [rng.choices(kinds, weights)[0] for _ in range(max(count - len(fresh), 0))]
        # Interpretations follow their policies, so policies are made first.
        n_policy, n_interp = plan.count("policy"), plan.count("interpretation")
        if n_interp and not n_policy:
            plan[plan.index("interpretation")] = "policy"
            n_policy, n_interp = 1, n_interp - 1
        policies = [self.make_policy() for _ in range(n_policy)]
        self.link_replacements(policies)
        self.make_interpretations(policies, n_interp)
        others = [k for k in plan if k not in ("policy", "interpretation")]
        special = self.special_disclosures(len(others))
        for i, kind in enumerate(others):
            self.make_other(kind, special.get(i))
        for cid, kind in fresh:
            self.make_other(kind, None, fresh_column=cid)

    def _fresh_columns(self) -> list[tuple[str, str]]:
        """One recent entry for every active column, so no column is stale or empty."""
        kinds = {"gzdt": "news", "bmdt": "news", "tzgg": "notice", "sjfb": "data", "bszn": "guide", "zwgk": "report"}
        return [(c[0], kinds.get(c[0], "news")) for c in self.columns
                if c[5] == "active" and c[0] not in ("zfwj", "gfxwj", "zcjd")]

    def special_disclosures(self, n: int) -> dict[int, str]:
        """A few 依申请公开, 不予公开 and embargoed (future-dated) entries among the other kinds."""
        if n < 6:
            return {}
        each = max(1, n // 150)
        picks = self.rng.sample(range(n), min(n, 3 * each))
        labels = ["on_request"] * each + ["withheld"] * each + ["embargoed"] * each
        return dict(zip(picks, labels))

    def base(self, kind: str, published: dt.date) -> dict:
        agency = self.rng.randrange(len(AGENCIES))
        entry = {"id": self.new_id(agency, published.year), "kind": kind, "publisher": AGENCIES[agency][0],
                 "published": published, "agency": agency}
        self.entries.append(entry)
        return entry

    def make_policy(self) -> dict:
        rng = self.rng
        entry = self.base("policy", self.workday())
        published = entry["published"]
        genre = rng.choice(POLICY_GENRES)
        subject = rng.choice(SUBJECTS)
        normative = rng.random() < 0.4
        prefix = AGENCIES[entry["agency"]][1]
        entry["short"] = f"{CITY}{subject}{genre}"
        if genre in ("办法", "规定", "细则", "方案"):
            entry["title"] = f"{entry['publisher']}关于印发《{entry['short']}》的通知"
        else:
            entry["title"] = f"{entry['publisher']}关于{rng.choice(ACTIONS)}{subject}工作的{genre}"
            entry["short"] = entry["title"].removeprefix(entry["publisher"])
        entry["written"] = published - dt.timedelta(days=rng.randint(0, 12))
        entry["doc_no"] = f"{prefix}{'规' if normative else rng.choice(('发', '办', '函'))}〔{published.year}〕{rng.randint(1, 180)}号"
        entry["genre"] = genre
        topic = rng.choice(TOPICS)
        if topic in SUB_TOPICS and rng.random() < 0.5:
            topic = f"{topic}\\{rng.choice(SUB_TOPICS[topic])}"
        entry["topic"] = topic
        entry["normative"] = normative
        validity = rng.choices(*_shares(VALIDITY_SHARES))[0]
        entry["validity"] = validity
        entry["valid_from"] = published + dt.timedelta(days=rng.choice((0, 0, 10, 30)))
        if validity == "expired":
            entry["valid_until"] = min(self.spec.as_of - dt.timedelta(days=1), entry["valid_from"] + dt.timedelta(days=rng.randint(180, 720)))
            if entry["valid_until"] < entry["valid_from"]:
                entry["valid_from"] = entry["valid_until"]
        elif rng.random() < 0.4:
            entry["valid_until"] = entry["valid_from"] + dt.timedelta(days=365 * rng.choice((2, 3, 5)))
        columns = ["zfwj"] + (["gfxwj"] if normative else [])
        if rng.random() < 0.3:
            columns.append(rng.choice(TOPICAL))
        entry["columns"] = columns
        entry["keywords"] = self.keywords(subject)
        entry["summary"] = f"就{subject}工作作出部署，明确目标任务、职责分工和保障措施。"
        if rng.random() < 0.12:
            entry["interpretation_required"] = False
            entry["interpretation_exempt_reason"] = rng.choice(("属于内部工作安排，不涉及公众权利义务。", "为人事任免类文件，无需解读。", "仅对原文件作文字性修改，已有解读继续适用。"))
        entry["body_form"] = None
        return entry

    def keywords(self, subject: str) -> list[str]:
        words = [subject.replace("“", "").replace("”", "")]
        words += self.rng.sample(("政务公开", "营商环境", "民生保障", "社会救助", "公共服务", "依法行政", "数字政府", "基层治理"), 2)
        return words

    def link_replacements(self, policies: list[dict]) -> None:
        """Amended and abolished policies point at a newer policy that replaced them."""
        ordered = sorted(policies, key=lambda e: (e["published"], e["id"]))
        for i, entry in enumerate(ordered):
            if entry["validity"] in ("amended", "abolished") and i + 1 < len(ordered) and self.rng.random() < 0.6:
                entry["superseded_by"] = ordered[self.rng.randrange(i + 1, len(ordered))]["id"]

    def make_interpretations(self, policies: list[dict], count: int) -> None:
        """Every policy that needs one gets an interpretation 0–3 working days after it; the
        rest of the interpretations go to random policies, in every form."""
        rng, forms = self.rng, list(FORMS)
        needing = [p for p in policies if p.get("interpretation_required") is not False]
        targets = needing[:count] if len(needing) >= count else needing + [rng.choice(policies) for _ in range(count - len(needing))]
        for n, policy in enumerate(targets):
            form = forms[n % len(forms)] if n < len(forms) else rng.choice(forms)
            published = self.after_workdays(policy["published"], rng.randint(0, 3))
            entry = self.base("interpretation", published)
            short = policy["short"]
            entry["title"] = {
                "text": f"《{short}》政策解读", "graphic": f"图解：《{short}》", "qa": f"《{short}》问答",
                "video": f"视频解读：《{short}》", "press": f"{CITY}人民政府新闻办公室举行《{short}》新闻发布会",
                "expert": f"专家解读：《{short}》", "media": f"媒体解读：《{short}》",
            }[form]
            entry["interprets"] = [policy["id"]] if rng.random() < 0.3 else policy["id"]
            entry["form"] = form
            entry["columns"] = ["zcjd"] + [c for c in policy["columns"] if c in TOPICAL]
            entry["keywords"] = policy["keywords"][:1] + [FORMS[form]]
            entry["summary"] = f"对《{short}》的出台背景、主要内容和施行要求进行{FORMS[form]}。"
            entry["policy"] = policy
            entry["body_form"] = form
        # A policy that needs interpretation but got none (count too small) is exempted, so the corpus stays clean.
        interpreted = {t["id"] for t in targets}
        for policy in needing:
            if policy["id"] not in interpreted:
                policy["interpretation_required"] = False
                policy["interpretation_exempt_reason"] = "已由上级部门统一解读。"

    def make_other(self, kind: str, special: str | None, fresh_column: str | None = None) -> None:
        rng = self.rng
        if fresh_column:
            published = self.workdays[-1 - rng.randrange(2)]
        elif special == "embargoed":
            published = self.spec.as_of + dt.timedelta(days=rng.randint(60, 120))
        elif kind == "report":
            published = self.workday()
        else:
            published = self.workday()
        entry = self.base(kind, published)
        subject = rng.choice(SUBJECTS)
        year = published.year
        entry["title"] = {
            "notice": f"关于{subject}有关事项的{rng.choice(('通知', '公告', '通告', '公示'))}",
            "news": f"{entry['publisher']}召开{subject}工作推进会",
            "report": f"{entry['publisher']}{year - 1}年{rng.choice(('政府信息公开工作年度报告', '法治政府建设情况报告', '工作总结'))}",
            "data": f"{year}年{rng.randint(1, 4)}季度{subject}情况统计",
            "guide": f"{subject}办事指南",
            "other": f"{subject}情况说明",
        }[kind]
        if kind in ("notice",):
            entry["genre"] = rng.choice(("通知", "公告", "通告"))
        if kind == "report":
            entry["genre"] = "报告"
        natural = KIND_COLUMNS[kind]
        if kind == "news" and rng.random() < 0.5:
            natural = "bmdt"
        columns = [natural] if self._has(natural) else []
        if fresh_column and fresh_column not in columns:
            columns.append(fresh_column)
        elif kind in ("news", "data") and published.year <= self.spec.as_of.year - 2 and rng.random() < 0.2:
            columns.append("jjpc")
        elif rng.random() < 0.15:
            columns.append(rng.choice(TOPICAL))
        extra = [c for c in self.column_ids if c.startswith("zt")]
        if extra and rng.random() < 0.3:
            columns.append(rng.choice(extra))
        entry["columns"] = [c for c in dict.fromkeys(columns) if self._has(c)]
        entry["keywords"] = self.keywords(subject)
        if rng.random() < 0.7:
            entry["summary"] = f"发布{subject}相关信息。"
        if special in ("on_request", "withheld"):
            entry["disclosure"] = special
        entry["body_form"] = None
        if kind == "data":
            entry["attachment"] = True
            entry["no_body"] = rng.random() < 0.3
            entry["body_form"] = None

    # -- writing -----------------------------------------------------------------------------
    def paths(self, entry: dict) -> tuple[str, str]:
        day = entry["published"]
        # File names carry no long digit runs (the privacy scanner reads link targets too).
        stem = f"{entry['kind']}-o{entry['agency'] + 1:02d}-{entry['id'].split('/')[1]}"
        return (f"catalog/{entry['kind']}/{day.year}/{stem}.yml", f"texts/{day.year}/{day.month:02d}/{stem}.md")

    def write(self, out: Path, jobs: int = 1) -> Summary:
        summary = Summary(entries=len(self.entries), columns=len(self.columns))
        bodies = {e["id"]: self.paths(e)[1] for e in self.entries}
        tasks = []
        for entry in self.entries:
            _, body_rel = self.paths(entry)
            policy = entry.get("policy")
            link = _relative(bodies[policy["id"]], body_rel) if policy is not None and not policy.get("no_body") else None
            if not entry.get("no_body"):
                entry["body"] = body_rel
            if entry.get("attachment"):
                rel = f"attachments/{entry['published'].year}/o{entry['agency'] + 1:02d}-{entry['id'].split('/')[1]}.csv"
                entry["attachments"] = [{"title": f"{entry['title']}（数据表）", "path": rel}]
            policy_ref = {"title": policy["title"], "doc_no": policy.get("doc_no"), "id": policy["id"]} if policy else None
            tasks.append((self.paths(entry)[0], entry_yaml(entry), entry.get("body"), entry["body_form"], policy_ref, link,
                          entry["attachments"][0]["path"] if entry.get("attachment") else None))
            summary.kinds[entry["kind"]] = summary.kinds.get(entry["kind"], 0) + 1
            if entry.get("form"):
                summary.forms[entry["form"]] = summary.forms.get(entry["form"], 0) + 1
            if entry.get("validity"):
                summary.validities[entry["validity"]] = summary.validities.get(entry["validity"], 0) + 1
            disclosure = entry.get("disclosure", "public")
            summary.disclosures[disclosure] = summary.disclosures.get(disclosure, 0) + 1
            summary.embargoed += entry["published"] > self.spec.as_of
        _write_tasks(out, tasks, self.sentence_pool(), self.spec.seed, jobs)
        files = _FileWriter(out)
        files.put("catalog/columns.yml", columns_yaml(self.columns).encode())
        files.put("content/index.md", HOME_PAGE.encode())
        files.put("content/about.md", ABOUT_PAGE.encode())
        files.put("mkdocs.yml", MKDOCS_YML.format(custom_dir=_custom_dir(self.spec.theme_dir),
                                                  markdown_extensions=MARKDOWN_EXTENSIONS_YML).encode())
        return summary


class _FileWriter:
    def __init__(self, root: Path):
        self.root, self.made = root, set()

    def put(self, rel: str, data: bytes) -> None:
        path = self.root / rel
        if path.parent not in self.made:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.made.add(path.parent)
        path.write_bytes(data)


class _BodyMaker:
    """Entry texts. Each entry has its own generator seeded by (corpus seed, entry number),
    so texts do not depend on the order or the process they are written in."""

    def __init__(self, pool: list[str], seed: int):
        self.pool, self.seed = pool, seed
        self.rng = random.Random()
        self.mean = max(1, sum(map(len, pool)) // max(1, len(pool)))

    def start(self, number: int) -> None:
        self.rng.seed(self.seed * 1_000_003 + number)

    def paragraph(self, chars: int) -> str:
        return "".join(self.rng.choices(self.pool, k=chars // self.mean + 1))

    def body(self, form: str | None, policy: dict | None, policy_link: str | None) -> str:
        rng, out, size = self.rng, [], 0
        length = int(rng.triangular(300, 3000, 600))
        if policy is not None:
            link = f"[{policy['title']}]({policy_link})" if policy_link else f"《{policy['title']}》"
            out.append(f"为便于社会公众准确理解{link}（{policy.get('doc_no') or policy['id']}），现就有关内容解读如下。")
        section = 0
        while size < length:
            if form == "qa":
                q = f"**问：{rng.choice(SUBJECTS)}{rng.choice(QUESTIONS)}？**"
                a = "答：" + self.paragraph(rng.randint(80, 220))
                out += [q, a]
                size += len(q) + len(a)
            else:
                if size and rng.random() < 0.25 and section < 10:
                    out.append(f"## {CN_NUMS[section]}、{rng.choice(HEADINGS)}")
                    section += 1
                para = self.paragraph(rng.randint(90, 320))
                out.append(para)
                size += len(para)
                if rng.random() < 0.06:
                    out.append("\n".join(f"{i}. {s}" for i, s in enumerate(rng.choices(self.pool, k=rng.randint(2, 4)), 1)))
        if form == "video":
            out.insert(0, "以下为视频解读的文字实录。")
        return "\n\n".join(out) + "\n"

    def table(self) -> str:
        rng = self.rng
        rows = "\n".join(f"{m}月,{rng.randint(100, 9999)},{rng.randint(1, 99)}.{rng.randint(0, 9)}" for m in range(1, 13))
        return f"月份,数量,同比增长（%）\n{rows}\n"


_TASKS: list = []   # handed to forked workers without pickling


def _write_range(out: Path, pool: list[str], seed: int, start: int, stop: int) -> None:
    files, maker = _FileWriter(out), _BodyMaker(pool, seed)
    for number in range(start, stop):
        yml, text, body, form, policy, link, attachment = _TASKS[number]
        maker.start(number)
        if body:
            files.put(f"content/{body}", maker.body(form, policy, link).encode())
        if attachment:
            files.put(f"content/{attachment}", maker.table().encode())
        files.put(yml, text.encode())


def _write_tasks(out: Path, tasks: list, pool: list[str], seed: int, jobs: int) -> None:
    global _TASKS
    _TASKS = tasks
    try:
        if jobs <= 1:
            _write_range(out, pool, seed, 0, len(tasks))
            return
        import multiprocessing
        context = multiprocessing.get_context("fork")
        step = -(-len(tasks) // (jobs * 4))
        with context.Pool(jobs) as workers:
            workers.starmap(_write_range, [(out, pool, seed, i, min(i + step, len(tasks))) for i in range(0, len(tasks), step)])
    finally:
        _TASKS = []


def _relative(target: str, source: str) -> str:
    import posixpath
    return posixpath.relpath(target, posixpath.dirname(source))


def _q(value) -> str:
    """A YAML scalar: JSON strings are valid YAML double-quoted scalars."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)


ENTRY_KEYS = ("id", "title", "kind", "publisher", "published", "written", "doc_no", "topic", "genre", "disclosure",
              "normative", "validity", "valid_from", "valid_until", "superseded_by", "interpretation_required",
              "interpretation_exempt_reason", "interprets", "form", "columns", "keywords", "summary", "body",
              "attachments")


def entry_yaml(entry: dict) -> str:
    lines = []
    for key in ENTRY_KEYS:
        value = entry.get(key)
        if value is None or value == []:
            continue
        if key == "attachments":
            lines.append("attachments:")
            lines += [f"  - title: {_q(a['title'])}\n    path: {_q(a['path'])}" for a in value]
        elif isinstance(value, list):
            lines.append(f"{key}:")
            lines += [f"  - {_q(v)}" for v in value]
        else:
            lines.append(f"{key}: {_q(value)}")
    return "\n".join(lines) + "\n"


def columns_yaml(columns: list[tuple]) -> str:
    out = ["# 合成测试站点的栏目清单（由 gongkai.synthetic 生成）"]
    for cid, title, parent, ctype, update, status, description in columns:
        out.append(f"\n- id: {cid}\n  title: {_q(title)}")
        if parent:
            out.append(f"  parent: {parent}")
        out.append(f"  description: {_q(description)}\n  type: {_q(ctype)}\n  update: {update}\n  status: {status}")
    return "\n".join(out) + "\n"


HOME_PAGE = """# 示例市人民政府信息公开网（合成测试站点）

本站点由 gongkai 的合成语料生成器生成，用于性能测试和规模测试，内容均为虚构。

- [关于本站](about.md)
"""
ABOUT_PAGE = """# 关于本站

本站点的全部条目、正文和附件均由程序按随机种子生成，不代表任何真实机构的信息。
"""
# The markdown configuration every generated portal (and the benchmark baselines) use.
MARKDOWN_EXTENSIONS_YML = """markdown_extensions:
  - tables
  - toc:
      permalink: false
  - attr_list
  - md_in_html
  - admonition
  - sane_lists
  - footnotes
"""

MKDOCS_YML = """# A synthetic gongkai portal (generated by gongkai.synthetic; do not edit by hand).
site_name: 示例市人民政府信息公开网
site_url: https://www.shili.gov.cn/
site_description: 合成测试站点
docs_dir: content
use_directory_urls: true

theme:
  name: material
  custom_dir: {custom_dir}
  language: custom
  font: false
  features:
    - navigation.top

{markdown_extensions}
plugins:
  - gongkai:
      catalog_dir: catalog
      interpretation_severity: error
      column_severity: warning
      page_size: 20
      identity:
        sponsor: 示例市人民政府办公室
        organizer: 示例市数据局
        site_code: "3799000001"
        icp: 示ICP备20240001号-1
        police: 示公网安备37990002000001号
        police_code: "37990002000001"
        address: 示例市人民大道1号（邮编：379900）
        phone: 0379-12345678
        email: zwgk@shili.gov.cn
        domain: www.shili.gov.cn

nav:
  - 首页: index.md
  - 关于本站: about.md
"""


def generate(out_dir: Path | str, spec: CorpusSpec, jobs: int = 1) -> Summary:
    """Write a complete synthetic portal repository into out_dir (which should be empty).
    The bytes written depend on the spec only, not on `jobs` (worker processes)."""
    writer = _Writer(spec)
    writer.make()
    return writer.write(Path(out_dir), jobs)
