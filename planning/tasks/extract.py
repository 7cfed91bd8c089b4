#!/usr/bin/env python3
"""How the task files were transcribed from the seed documents (kept for
provenance; the CSV files are the data). Run from this folder with the
seeds at ../../../shared/seeds.

000 and 001 are tab-separated tables: a number line, then the task (or an
empty cell meaning "as above"), the requirement and the responsible units.
003 annex 2 was extracted from a rotated table; its text is read in order,
rows end at the units ("…等按职责分工负责", or a single unit before the next
requirement, split by hand below), and the extraction's ASCII punctuation
is put back as the document's full-width marks."""
import csv, re

SEEDS = "../../../shared/seeds/"
HEAD = ["文件", "序号", "区划代码", "工作任务", "工作要求", "责任单位", "完成时限"]


def tab_table(name, doc, region, due):
    lines = open(SEEDS + name, encoding="utf-8").read().split("\n")
    rows, cur, heading = [], None, ""
    for line in lines:
        if re.fullmatch(r"\t\d+", line):
            cur = [int(line.strip())]
            rows.append(cur)
        elif cur is not None and line.startswith("\t"):
            cur.append(line[1:].strip())
        elif cur is not None and line.strip() and len(cur) > 1:
            cur[-1] += line.strip()
    out = []
    for r in rows:
        task, req, units = r[1], r[2], r[3]
        heading = task or heading
        out.append([doc, r[0], region, heading, req, units, due])
    return out


def fullwidth(s):
    s = s.replace(" ", "").replace("\u3000", "")
    return s.replace(".", "。").replace(",", "，").replace("(", "（").replace(")", "）")


def annex2():
    lines = open(SEEDS + "003_2e95afaec8002774.txt", encoding="utf-8").read().split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith(" 附") and "件" in lines[i + 1])
    text = "".join(lines[start:])
    text = re.sub(r"—[０-９0-9]+—", "", text)
    sections = ["实施重点培训项目", "构建多元供给载体", "完善考核评价方式", "健全统筹管理机制", "强化保障措施"]
    # Rows whose single responsible unit runs into the next requirement.
    for joint in ["生活费补贴.市人力资源社会保障局", "管理方式.市人力资源社会保障局", "任务督促落实等.市人力资源社会保障局"]:
        text = text.replace(joint, joint + "按职责分工负责@")
    text = text[text.index("重点任务分工") + len("重点任务分工"):]
    text = text.replace("工作任务工作要求责任单位", "")
    out, heading, n = [], "", 0
    for seg in re.split(r"按职责分工负责", text):
        seg = seg.lstrip("@").strip()
        for s in sections:
            if seg.startswith(s):
                heading, seg = s, seg[len(s):]
        if "." not in seg:
            continue
        req, units = seg.rsplit(".", 1)
        if units.startswith("@"):
            units = units[1:]
        units = units + ("" if units.endswith("市人力资源社会保障局") and "、" not in units else "按职责分工负责")
        n += 1
        out.append(["聊政办发〔2019〕10号 附件2", n, "371500", heading, fullwidth(req) + "。", fullwidth(units), "2021-12-31"])
    return out


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEAD)
        w.writerows(rows)


write("tianjin.csv", tab_table("000_2c241afa2e019228.txt", "天津市重点工作任务分解表", "120000", ""))
write("rudong.csv", tab_table("001_e0dca54587266780.txt", "如东县重点任务分工表", "320623", ""))
write("liaocheng-annex2.csv", annex2())
