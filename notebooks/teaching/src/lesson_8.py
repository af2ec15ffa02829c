"""Lesson 8 (optional): cleaning a messy register."""

from cells import Lesson, code, ex, md

LESSON = Lesson(
    number=8,
    slug="cleaning_a_messy_register",
    title=md("（选学）清洗原始台账", "Optional: cleaning a messy register"),
    minutes="45",
    objectives=md(
        """
- 认识基层导出的原始台账常见的问题：标题行、合计行、备注行、多种日期写法、同义词和旧类别、重复登记、个人信息；
- 用 `pa.clean` 清洗，并核对**读入 = 有效 + 剔除**，每一条剔除都有原因；
- 区分“表格装饰”（合计、备注、空行）和需要回头核对的数据错误；
- 知道清洗后的数据里没有姓名、身份证号和电话：信访人变成假名编号，摘要中的个人信息被遮盖。
""",
        """
- recognise what raw exports from petition offices look like: title rows, total and notes rows, dates written
  several ways, synonyms and old category labels, duplicate registrations, personal data;
- clean them with `pa.clean` and check that **read = clean + rejected**, with a reason for every reject;
- tell the table's furniture (totals, notes, blank rows) from errors in the data that need checking with the office;
- know that the clean data holds no names, ID numbers or phone numbers: petitioners become pseudonyms and personal
  data in the summaries is masked.
""",
    ),
    prerequisites=md("第 1 课。", "Lesson 1."),
    cells=[
        md(
            """
## 一、原始导出是什么样子

`data/raw/` 里有几份由生成器制作的“脏”台账（全部是虚构的），旁边附有应当被剔除的行。先用 `pa.raw_preview`
看一眼原始内容：它会隐藏含个人信息的列、遮盖自由文本中的号码，所以对真实台账也可以放心使用。
""",
            """
## 1. What a raw export looks like

`data/raw/` holds a few messy registers made by the generator (all fictional), with the rows a correct cleaner must
reject listed beside them. Look at the raw content with `pa.raw_preview`: it hides the columns that hold personal
data and masks numbers in free text, so it is safe on a real register too.
""",
        ),
        code(
            '''
from petition_analysis.reference import data_dir

csv_path = data_dir() / "raw" / "xx_city_2019_register_utf8.csv"
pa.raw_preview(csv_path, rows=6)
''',
        ),
        md(
            """
## 二、清洗与对账

`pa.clean` 识别标题行和表头，解析各种日期写法，按分类表映射同义词和旧类别，生成越级、集体、重复等标记，
把信访人换成带密钥的假名，遮盖摘要中的个人信息。读入的每一行，不是进了 `data`，就是带着原因进了 `rejects`。
（这里用固定的 `pseudonym_key`，让假名可以重现；实际工作中密钥要保密，例如放在环境变量 `PETITION_PSEUDONYM_KEY` 中。）
""",
            """
## 2. Cleaning, and reconciling

`pa.clean` finds the title rows and the header, parses every date form, maps synonyms and old labels through the
taxonomy, derives the leapfrog, collective and repeat flags, replaces petitioners by keyed pseudonyms and masks
personal data in the summaries. Every row read ends up either in `data` or in `rejects` with a reason. (A fixed
`pseudonym_key` makes the pseudonyms reproducible here; in real work keep the key secret, for instance in the
environment variable `PETITION_PSEUDONYM_KEY`.)
""",
        ),
        code(
            '''
res_csv = pa.clean(csv_path, pseudonym_key="lesson-8")
print(res_csv.log.summary())
''',
        ),
        code('res_csv.rejects[["source_row", "reason", "message"]].head(8)'),
        md(
            """
清洗后的数据里，信访人只剩假名编号，摘要中的姓名、证件号、电话已被替换为 `[姓名]`、`[证件号]`、`[电话]`：
""",
            """
In the clean data petitioners are pseudonyms, and names, ID numbers and phone numbers in the summaries read
`[姓名]`, `[证件号]`, `[电话]`:
""",
        ),
        code('res_csv.data[["received_date", "channel", "persons", "level", "category", "petitioner_id", "summary"]].head()'),
        md(
            """
## 三、练习：一个按季度分表的工作簿

`data/raw/xx_city_2019_register_quarters.xlsx` 每个季度一张工作表。`pa.clean` 会读入全部工作表。
""",
            """
## 3. Exercises: a workbook with one sheet per quarter

`data/raw/xx_city_2019_register_quarters.xlsx` has one sheet per quarter. `pa.clean` reads every sheet.
""",
        ),
        ex("8.1", '''
res = pa.clean(data_dir() / "raw" / "xx_city_2019_register_quarters.xlsx", pseudonym_key="lesson-8")
answer_8_1 = len(res.data)
'''),
        ex("8.2", '''
reasons = res.rejects["reason"].value_counts()
answer_8_2 = int(reasons.reindex(["total_row", "notes_row", "blank_row"], fill_value=0).sum())
'''),
        ex("8.3", 'answer_8_3 = int(reasons.get("duplicate", 0))'),
        ex("8.4", 'answer_8_4 = int(res.data["is_collective"].sum())'),
    ],
    takeaways=md(
        """
- 清洗要能对账：读入 = 有效 + 剔除，每条剔除都有原因，可以拿回去核对。
- 合计、备注和空行不是错误；日期、人数、层级写错和重复登记才需要回头核对。
- 个人信息在清洗这一步就被去掉：之后的分析、笔记本和报告都接触不到它。
""",
        """
- Cleaning must reconcile: read = clean + rejected, every reject with a reason to take back to the office.
- Totals, notes and blank rows are not errors; wrong dates, persons or levels and duplicate registrations are what
  to check.
- Personal data leaves at cleaning: nothing downstream, no analysis, notebook or report, ever sees it.
""",
    ),
    discussion=md(
        """
1. 剔除表里的哪些原因说明登记工作本身有问题？你会怎样反馈给基层？
2. 同一事项在两个季度的表里都出现了，应该算在哪个季度？
3. 为什么假名编号要用带密钥的哈希，而不是简单地给每个人编号？
""",
        """
1. Which reject reasons point at problems in the registration itself, and how would you report them back?
2. An item appears in the sheets of two quarters: which quarter does it belong to?
3. Why keyed hashes for pseudonyms, rather than simply numbering the people?
""",
    ),
)
