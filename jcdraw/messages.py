"""Every Chinese text a user sees, in one place.

``PROBLEMS`` is the catalogue of validation problems: code → (severity, message template). Templates
are ``str.format`` strings; ``{value}`` is the offending value, other fields are named per code.
The other constants are one-off messages for errors, prompts and summaries. Each message says what
is wrong, where, and how to fix it.
"""

from __future__ import annotations

PROBLEMS: dict[str, tuple[str, str]] = {
    "too-many": (
        "info",
        "同类问题（{value}）过多，另有 {count} 处未逐条列出；请先修正已列出的问题后重新校验。",
    ),
    # --- file and sheet level -------------------------------------------------------------
    "missing-sheet": (
        "error",
        "工作簿中找不到工作表“{sheet_name}”。请按模板（jcdraw template registry）添加该工作表，或把现有工作表改名为“{sheet_name}”。",
    ),
    "missing-column": (
        "error",
        "工作表“{sheet_name}”缺少必填列“{column_name}”（在前 10 行内未找到表头）。请在表头行添加该列。",
    ),
    "duplicate-column": (
        "error",
        "表头中“{column_name}”出现了不止一次（第 {columns} 列）。请删除或改名多余的列，只保留一列。",
    ),
    "empty-sheet": ("error", "工作表“{sheet_name}”没有数据行。请至少填写一行后再校验。"),
    "formula-cell": (
        "warning",
        "该单元格是公式或错误值（{value}），已按空值处理。请改为直接填写数值或文字。",
    ),
    # --- entities (检查对象) ----------------------------------------------------------------
    "uscc-missing": ("error", "统一社会信用代码为空。请填写 18 位统一社会信用代码。"),
    "uscc-float": (
        "error",
        "统一社会信用代码“{value}”被 Excel 存成了数字，后几位已丢失。请把该列设置为“文本”格式后重新粘贴原始代码。",
    ),
    "uscc-length": ("error", "统一社会信用代码“{value}”长度为 {length} 位，应为 18 位。请核对后重新填写。"),
    "uscc-charset": (
        "error",
        "统一社会信用代码“{value}”含有不允许的字符（只允许数字和除 I、O、Z、S、V 以外的大写字母）。请核对后重新填写。",
    ),
    "uscc-checksum": (
        "error",
        "统一社会信用代码“{value}”的校验位不正确（按 GB 32100-2015 计算应为“{expected}”）。请对照营业执照核对代码。",
    ),
    "uscc-duplicate": (
        "error",
        "统一社会信用代码“{value}”重复出现（另见第 {other_rows} 行）。同一主体只能登记一行，请合并或删除重复行。",
    ),
    "name-missing": ("error", "名称为空。请填写检查对象的名称。"),
    "region-missing": ("error", "区域为空。请从下拉列表选择区域：{choices}。"),
    "region-unknown": ("error", "区域“{value}”不是晋城市的区县。请改为以下之一：{choices}。"),
    "region-mismatch": (
        "warning",
        "区域“{value}”与统一社会信用代码中的行政区划码 {division} 不一致（该代码对应 {expected}）。请核对区域或代码。",
    ),
    "category-missing": ("error", "监管类别为空。请填写监管类别，多个类别用顿号“、”分隔。"),
    "category-untargeted": (
        "warning",
        "监管类别“{value}”不是本年度任何抽查任务的对象，该主体不会被抽取。如有误请改为：{choices}。",
    ),
    "risk-unknown": (
        "error",
        "信用风险分类“{value}”无法识别。请填写 A/B/C/D 或 低风险/一般风险/较高风险/高风险，未分类可留空（按 {default} 类处理）。",
    ),
    "status-unknown": (
        "warning",
        "经营状态“{value}”无法识别，按“存续”处理。常用值：存续、在业、开业、注销、吊销、撤销、迁出。",
    ),
    "no-entities": ("error", "检查对象库为空。请先在“检查对象”工作表中登记监管对象。"),
    # --- inspectors (执法人员) --------------------------------------------------------------
    "badge-missing": ("error", "执法证号为空。每位执法人员都必须填写执法证号。"),
    "badge-duplicate": (
        "error",
        "执法证号“{value}”重复出现（另见第 {other_rows} 行）。请核对，每个执法证号只能登记一行。",
    ),
    "inspector-name-missing": ("error", "执法人员姓名为空。请填写姓名。"),
    "department-missing": ("error", "部门为空。请从下拉列表选择所在部门。"),
    "department-unknown": (
        "warning",
        "部门“{value}”不是抽查计划中的部门，该人员不会被抽取。计划中的部门有：{choices}。",
    ),
    "credential-date-bad": ("error", "执法证有效期“{value}”不是有效日期。请填写如 2025-12-31 的日期。"),
    "credential-expired": ("warning", "执法证已于 {value} 到期，该人员不会被抽取。请更新执法证有效期。"),
    "credential-missing": ("warning", "执法证有效期至为空，视为未持有效执法证，不会被抽取。请填写有效期。"),
    "duty-unknown": ("warning", "在岗状态“{value}”无法识别，按“在岗”处理。可填：在岗、离岗、退休、调离。"),
    "no-inspectors": ("error", "执法人员库为空。请先在“执法人员”工作表中登记执法人员。"),
    "qualification-unknown": (
        "warning",
        "可检查类别“{value}”不是计划中的监管类别，已忽略。计划中的类别有：{choices}。",
    ),
    # --- recusals (回避) --------------------------------------------------------------------
    "recusal-code-invalid": (
        "error",
        "回避对象“{value}”不是有效的统一社会信用代码。请填写完整的 18 位代码，多个用顿号分隔。",
    ),
    "recusal-code-unknown": ("warning", "回避对象“{value}”不在检查对象库中，该回避暂不起作用。请核对代码。"),
    "recusal-badge-unknown": ("error", "回避关系中的执法证号“{value}”不在执法人员库中。请核对执法证号。"),
    # --- against the plans ------------------------------------------------------------------
    "credential-lapses-in-task": (
        "info",
        "执法证 {value} 到期，早于任务 {tasks} 的结束日期，该人员不参加这些任务的抽取。如已换证，请更新执法证有效期。",
    ),
    "task-no-entities": (
        "warning",
        "任务 {task}（{task_name}）没有符合条件的检查对象（类别“{category}”，范围 {scope}）。",
    ),
    "task-understaffed": (
        "error",
        "任务 {task}（{task_name}）无法组成检查组：部门“{department}”只有 {available} 名符合条件的执法人员，至少需要 {required} 名。请补充该部门的执法人员或更新执法证有效期。",
    ),
    "task-team-too-small": (
        "error",
        "任务 {task}（{task_name}）可用执法人员共 {available} 名，少于检查组最少人数 {required}。",
    ),
    "entity-unstaffable": (
        "error",
        "任务 {task}（{task_name}）抽中“{entity}”时无法组成检查组：部门“{department}”{reason}。抽取会因此被拒绝。请调整回避关系，或补充该部门的执法人员。",
    ),
    "target-column-missing": (
        "error",
        "任务 {task}（{task_name}）是定向抽查，只抽“{flag}”列标明的对象，但“检查对象”表中没有这一列。请在名录库中增加“{flag}”列并填写“是”或“否”。",
    ),
    # --- workdays -----------------------------------------------------------------------------
    # --- draw ---------------------------------------------------------------------------------
    # --- publish ------------------------------------------------------------------------------
    "result-sheet-missing": (
        "error",
        "工作簿中找不到工作表“{sheet_name}”（现有工作表：{existing}）。请使用 jcdraw draw 生成的抽取结果表，在其中的“{sheet_name}”工作表填写检查结果。",
    ),
    "result-draw-missing": (
        "error",
        "抽取编号为空。请使用 jcdraw draw 生成的“检查结果”工作表，不要删除或改动预填的前六列。",
    ),
    "result-draw-unknown": (
        "error",
        "台账中没有抽取编号“{value}”。请核对抽取编号（应与 jcdraw draw 生成的工作簿一致），或用 --ledger 指定抽取时使用的台账。",
    ),
    "result-draw-superseded": (
        "error",
        "抽取编号“{value}”已被重新抽取（新编号 {by}）取代，其结果不能登记。请在新抽取编号的抽取结果表中填写检查结果。",
    ),
    "result-task-mismatch": (
        "error",
        "任务编号“{value}”与抽取编号 {draw_id} 的任务编号 {task} 不符。请把任务编号改回 {task}。",
    ),
    "result-entity-not-drawn": (
        "error",
        "统一社会信用代码“{value}”不是抽取编号 {draw_id} 抽中的检查对象。请核对代码，不要改动预填的前六列。",
    ),
    "result-item-unknown": (
        "error",
        "检查事项序号“{value}”无效：抽取编号 {draw_id} 的检查事项序号为 1 至 {count}。请改回预填的序号。",
    ),
    "result-item-mismatch": (
        "error",
        "检查事项“{value}”与该任务第 {item} 项检查事项“{expected}”不符。请改回预填的内容。",
    ),
    "result-missing": (
        "error",
        "检查结果为空，但本行已填写检查日期或执法证号。请从下拉列表选择检查结果；尚未检查的行请把检查结果、检查日期、执法证号三项都留空。",
    ),
    "result-unknown": (
        "error",
        "检查结果“{value}”中的“{part}”不是规定的结果类别。请从下拉列表选择：{choices}。多个结果用顿号“、”分隔。",
    ),
    "result-exclusive": (
        "error",
        "检查结果“{value}”中的“{exclusive}”不能与其他结果同时填写。请只填“{exclusive}”，或删去它。",
    ),
    "result-date-missing": (
        "error",
        "检查日期为空，但本行已填写检查结果或执法证号。请填写检查完成日期（如 2024-09-20）。",
    ),
    "result-date-bad": ("error", "检查日期“{value}”不是有效日期。请填写如 2024-09-20 的日期。"),
    # Late and early inspections (issue 10): recorded and published, flagged 超出计划期限, never refused.
    "result-date-outside-period": (
        "warning",
        "检查日期 {value} 不在任务起止时间（{start} 至 {end}）内。这样的检查照常登记公示，公示表“备注”注明“超出计划期限”。如日期填错，请用 jcdraw correct --date 更正（本次因其他问题未登记的，直接在工作簿中改正）。",
    ),
    "result-date-future": (
        "error",
        "检查日期 {value} 晚于公示日期 {as_of}。尚未完成的检查请留空，完成后再公示；或用 --as-of 指定正确的公示日期。",
    ),
    "result-date-before-draw": (
        "warning",
        "检查日期 {value} 早于抽取日期 {drawn}。这样的检查照常登记公示，公示表“备注”注明“超出计划期限”。如日期填错，请用 jcdraw correct --date 更正（本次因其他问题未登记的，直接在工作簿中改正）。",
    ),
    "result-badges-missing": (
        "error",
        "检查人员执法证号为空。请填写参加检查的执法人员的执法证号（至少 2 名，用顿号“、”分隔）。",
    ),
    "result-badges-too-few": (
        "error",
        "只填写了 {count} 名检查人员（{value}），至少需要 2 名。请补填同组执法人员的执法证号，用顿号“、”分隔。",
    ),
    "result-badge-not-in-team": (
        "error",
        "执法证号“{value}”不是该检查对象检查组的成员（检查组：{team}）。请核对执法证号；检查人员须是抽取时分配的检查组成员。",
    ),
    "result-entity-incomplete": (
        "error",
        "该检查对象的其他检查事项已填写，第 {item} 项尚未填写。同一对象的全部检查事项须一并填写后才能公示：请补填本行，或把该对象各行的结果都留空。",
    ),
    "result-entity-rows-absent": (
        "error",
        "检查对象 {uscc} 缺少第 {items} 项检查事项的行。请从 jcdraw draw 生成的工作簿中恢复这些行并填写结果。",
    ),
    "result-duplicate-row": (
        "error",
        "同一检查对象的同一检查事项填写了不止一行（另见第 {other_rows} 行）。请只保留一行。",
    ),
    "result-changed": (
        "error",
        "本行检查结果“{value}”与台账中已登记的结果“{recorded}”不同；已登记的结果不能直接修改。如确有错误，请经单位负责人批准后运行：jcdraw correct --draw {draw_id} --uscc {uscc} --item {item} --result 新结果 --approved-by 审批人 --approval-ref 审批文号 --reason 原因；否则请把本行改回“{recorded}”。",
    ),
    "result-record-changed": (
        "error",
        "本行{field}“{value}”与台账中已登记的“{recorded}”不同；已登记的{field}不能修改。请把本行改回“{recorded}”。",
    ),
}

# Severity and sheet labels shown to users.
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}

# --- reading files -----------------------------------------------------------------------------
FILE_NOT_FOUND = "找不到文件“{path}”。请检查文件名和所在文件夹是否正确。"
FILE_IS_DIRECTORY = "“{path}”是一个文件夹，不是 Excel 文件。请指定 .xlsx 文件。"
FILE_EMPTY = "文件“{path}”是空的（0 字节）。请确认文件已正确保存。"
FILE_XLS = (
    "文件“{path}”是旧版 Excel（.xls）格式。请用 Excel 打开后“另存为”→“Excel 工作簿(*.xlsx)”，再使用新文件。"
)
FILE_CSV = (
    "文件“{path}”是 CSV/文本文件，不是 Excel 工作簿。请用 Excel 打开后“另存为”→“Excel 工作簿(*.xlsx)”。"
)
FILE_ENCRYPTED = "文件“{path}”设置了打开密码（已加密）。请在 Excel 中“文件→信息→保护工作簿→用密码进行加密”清除密码后另存，再使用。"
FILE_NOT_XLSX = "文件“{path}”不是有效的 Excel 工作簿（.xlsx）。文件可能已损坏或是其他格式，请用 Excel 打开后重新另存为 .xlsx。"
FILE_BROKEN = "文件“{path}”无法读取：工作簿内容已损坏（{detail}）。请用 Excel 打开并另存为新的 .xlsx 文件。"
FILE_ZIP_BOMB = "文件“{path}”解压后体积异常（声明 {size}），可能是恶意构造的文件，已拒绝读取。请向发件人索取正常的工作簿。"
FILE_XML_ENTITIES = (
    "文件“{path}”中含有不允许的 XML 实体定义，可能是恶意构造的文件，已拒绝读取。请向发件人索取正常的工作簿。"
)
FILE_NO_SHEETS = "文件“{path}”中没有任何工作表。请使用模板（jcdraw template registry）重新制作。"
FILE_PERMISSION = "没有权限读取文件“{path}”。请检查文件权限，或先关闭正在占用它的程序。"
SHEET_MISSING = "文件“{path}”中找不到工作表“{sheet}”（现有工作表：{existing}）。请按模板添加或改名。"

# --- plans -------------------------------------------------------------------------------------
PLAN_NOT_FOUND = (
    "找不到抽查计划“{name}”。可用的计划：{available}。请用 --plan 指定 joint、internal 或 YAML 文件路径。"
)
PLAN_YEAR_NOT_FOUND = "找不到 {year} 年度的“{kind}”计划。可用的计划：{available}。"
PLAN_YEAR_NONE = "找不到 {year} 年度的计划。可用的计划：{available}。"
PLAN_UNREADABLE = "计划文件“{path}”无法读取：{detail}。"
PLAN_YAML_ERROR = "计划文件“{path}”不是有效的 YAML：{detail}。请检查缩进和冒号。"
PLAN_YAML_UNSAFE = "计划文件“{path}”含有不允许的 YAML 标签或别名（{detail}），已拒绝读取。计划文件只能包含普通的文字、数字和列表。"
PLAN_INVALID = "计划文件“{path}”有误：{where}字段“{field}”{detail}。请修改后重试。"
PLAN_TASK_NOT_FOUND = "计划“{plan}”中没有任务 {task}。可用任务编号：{available}。"
PLAN_DUPLICATE_TASK = "任务编号 {task} 重复出现"
PLAN_END_BEFORE_START = "结束日期 {end} 早于开始日期 {start}"
PLAN_UNKNOWN_REGION = "中的区域“{value}”不是晋城市的区县（可用：{choices}）"
PLAN_UNKNOWN_DEPARTMENT = "中的部门“{value}”未在计划的 departments 中定义"
PLAN_RATIO_RANGE = "抽查比例 {value} 不在 (0, 1] 范围内（100% 请写 1.0）"
# Plan ids (issue 11): a look-alike character would make a second "same" task.
PLAN_ID_INVALID = "计划文件“{path}”的计划编号 id “{value}”含有不允许的字符 {chars}。计划编号只能由小写英文字母 a–z、数字 0–9 和半角短横线“-”组成（如 2024-joint）；从网页或文档复制来的相似字符（如不换行连字符 U+2011、全角字符、空格）请删去后手工输入。"
PLAN_ID_CHAR = "“{char}”（U+{code:04X}）"
PLAN_ID_EMPTY = "（编号为空）"

# --- CLI ---------------------------------------------------------------------------------------
UNEXPECTED_ERROR = "程序内部错误：{detail}。这不是您的操作问题，请把这条信息和所用文件发给技术支持（加 --debug 可显示详细信息）。"
INTERRUPTED = "已中断，未写入任何结果。"

# --- workdays (module constants) -----------------------------------------------------------------
CALENDAR_MISSING = (
    "缺少 {year} 年的节假日安排，无法计算{purpose}（jcdraw 不会猜测放假和调休）。现有安排覆盖：{covered} 年。"
    "请任选一种办法补上 {year} 年：① 升级节假日数据：pip install -U chinesecalendar；"
    "② 按《国务院办公厅关于 {year} 年部分节假日安排的通知》，在 plans/calendar.yaml 中添加 {year} 年；"
    "③ 运行时用 --calendar 文件 指定含 {year} 年安排的日历文件。"
)
CALENDAR_PURPOSE_DEADLINE = "检查完成日期 {done} 之后的第 {n} 个工作日（公示期限）"
CALENDAR_PURPOSE_DEADLINES = "公示期限（涉及 {count} 条检查记录，例如完成日期为 {done} 的记录）"
CALENDAR_PURPOSE_BETWEEN = "{start} 至 {end} 之间的工作日数"
CALENDAR_PURPOSE_DAY = "{day} 是否为工作日"
CALENDAR_FILE_NOT_FOUND = "找不到日历文件“{path}”。请检查 --calendar 后面的文件路径。"
CALENDAR_UNREADABLE = "日历文件“{path}”无法读取：{detail}。"
CALENDAR_NOT_UTF8 = "日历文件“{path}”不是 UTF-8 编码。请用记事本打开，“另存为”时把编码选为 UTF-8。"
CALENDAR_YAML_ERROR = "日历文件“{path}”不是有效的 YAML：{detail}。请检查缩进、冒号和方括号。"
CALENDAR_YAML_UNSAFE = (
    "日历文件“{path}”含有不允许的 YAML 标签（{detail}），已拒绝读取。日历文件只能包含年份、日期和文字。"
)
CALENDAR_INVALID = "日历文件“{path}”有误：{where}{detail}。请对照 plans/calendar.yaml 开头的说明修改后重试。"
CALENDAR_WHERE_YEAR = "{year} 年的"
CALENDAR_NO_YEARS = "文件应以“years:”开头，下面按年份列出各年的安排"
CALENDAR_DUPLICATE_KEY = "“{value}”出现了不止一次（第 {line} 行），同一项只能写一次"
CALENDAR_UNKNOWN_KEY = "“{value}”无法识别（可用的项目：{choices}）"
CALENDAR_BAD_YEAR = "年份“{value}”不是四位数的年份"
CALENDAR_YEAR_NOT_MAPPING = "安排应写成 holidays（放假日期）和 workdays（调休上班日期）两项"
CALENDAR_NO_HOLIDAYS = "holidays（放假日期）为空。每年至少有元旦、春节等假日，请按通知填写"
CALENDAR_NOT_LIST = "“{field}”应是日期列表，例如 [2027-01-01, 2027-01-02]"
CALENDAR_SOURCE_NOT_TEXT = '“source”应是文字（通知的文号），例如 "国办发明电〔2026〕1号"'
CALENDAR_BAD_DATE = "“{field}”中的“{value}”不是有效日期（应写成 2027-01-01 这样的形式）"
CALENDAR_WRONG_YEAR = "“{field}”中的日期 {value} 不在 {year} 年内"
CALENDAR_BOTH = "日期 {value} 同时出现在 holidays（放假）和 workdays（调休上班）中，只能出现在一处"
CALENDAR_WORKDAY_NOT_WEEKEND = "workdays（调休上班）中的 {value} 是{weekday}，调休上班日应是周六或周日"
CALENDAR_CONFLICT = (
    "日历文件“{first}”和“{second}”对 {year} 年的安排不一致，无法确定以哪个为准。"
    "请删除其中一份，或把两份改为一致。"
)
CALENDAR_WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

# --- ledger (module constants) -----------------------------------------------------------------
LEDGER_MISSING = "找不到台账文件“{path}”。请检查路径是否正确（jcdraw init 会新建台账）。"
LEDGER_NEEDS_NEW = (
    "找不到台账文件“{path}”（或它是空文件），没有新建。请到存放台账的工作文件夹中运行，或用 --ledger 指定台账；"
    "确实要新建一本台账的（第一次使用），加 --new-ledger。"
)
LEDGER_CREATED = "新建台账 {ledger_id}（{path}）"
LEDGER_BROKEN_REFUSED = (
    "台账“{path}”未通过核验：{reason}{command} 不会向它写入。"
    "请运行 jcdraw audit --ledger {path} 查看详情，并用备份恢复台账。"
)
LEDGER_EMPTY = "台账文件“{path}”是空的（0 字节），不是有效的 jcdraw 台账。请检查路径，或用备份恢复台账。"
LEDGER_IS_DIRECTORY = "“{path}”是一个文件夹，不是 jcdraw 台账文件。请指定台账文件（例如 台账.sqlite3）。"
LEDGER_FOLDER_MISSING = "台账所在的文件夹“{folder}”不存在。请先创建该文件夹，或指定其他台账位置。"
LEDGER_NOT_SQLITE = (
    "文件“{path}”不是 jcdraw 台账文件（不是 SQLite 数据库）。为避免破坏它，未作任何修改。请检查台账路径。"
)
LEDGER_FOREIGN = "文件“{path}”是其他程序的 SQLite 数据库，不是 jcdraw 台账文件。为避免破坏它，未作任何修改。请指定其他台账路径。"
LEDGER_NEWER_SCHEMA = "台账“{path}”由更新版本的 jcdraw 创建（格式版本 {found}，本程序只支持到 {supported}）。请升级 jcdraw 后再使用，未作任何修改。"
LEDGER_READONLY_FILE = "台账文件“{path}”是只读的，无法写入。请修改文件权限（去掉“只读”属性），或把台账复制到可写的文件夹后使用副本。"
LEDGER_READONLY_FOLDER = "台账所在的文件夹“{folder}”不允许写入，无法写台账“{path}”。请修改文件夹权限，或把台账复制到可写的文件夹后使用副本。"
LEDGER_UNREADABLE = "没有权限读取台账文件“{path}”。请检查文件权限。"
LEDGER_CANNOT_OPEN = "无法打开台账“{path}”（{detail}）。请检查文件和文件夹的权限，台账不要放在网络共享盘上。"
LEDGER_LOCKED = (
    "台账“{path}”正被另一个程序使用，请稍后重试。如果一直如此，请确认没有其他 jcdraw 窗口正在运行。"
)
LEDGER_CORRUPT = "台账“{path}”已损坏，无法读取（{detail}）。请停止写入，并用备份恢复台账。"
LEDGER_WRITE_FAILED = "写入台账“{path}”失败（{detail}），本次操作未写入任何内容。请检查磁盘空间后重试。"
LEDGER_TAIL_TAMPERED = "台账“{path}”的最后一条记录与登记的校验值不符（{detail}），台账可能被改动过，已拒绝写入。请核验台账并用备份恢复。"
LEDGER_DRAW_EXISTS = "计划“{plan}”任务 {task} 第 {round} 轮已于 {when}（北京时间）抽取过，抽取编号 {draw_id}，不能重复抽取。确需重新抽取，请加 --redraw --reason 原因（原因会记入台账）。"
LEDGER_REDRAW_REASON_EMPTY = "重新抽取必须写明原因：请在 --reason 后填写具体原因（会记入台账）。"
LEDGER_REDRAW_ORPHANS = "抽取 {draw_id} 已登记了 {count} 条检查结果，不能再重新抽取：重新抽取会使这些已检查、已公示的结果失去依据。检查结果有误的，请经单位主要负责人批准后用 jcdraw correct 更正。"
LEDGER_REDRAW_NOTHING = (
    "计划“{plan}”任务 {task} 第 {round} 轮还没有抽取记录，无需重新抽取。请去掉 --redraw 和 --reason 后重试。"
)
LEDGER_UNKNOWN_DRAW = "台账中没有抽取编号“{draw_id}”。请核对结果表中的抽取编号。"
LEDGER_SUPERSEDED_DRAW = (
    "抽取编号“{draw_id}”已被重新抽取（新编号 {by}）取代，不能再登记它的结果。请改用新的抽取编号。"
)
LEDGER_RESULT_CONFLICT = "以下 {count} 条结果与台账中已登记的结果不同，本次未写入任何结果：{keys}。已登记的结果不能直接修改，如确有错误请按更正程序（经审批）办理。"
LEDGER_CORRECTION_NO_RESULT = (
    "台账中没有抽取 {draw_id}、对象 {uscc}、事项“{item}”的检查结果，无法更正。请先登记结果。"
)
LEDGER_CORRECTION_FIELD_MISSING = "更正缺少“{label}”。更正必须写明审批人、审批文号和更正原因。"
LEDGER_CORRECTION_OLD_MISMATCH = (
    "更正单上的原值与台账不一致：“{field}”在台账中为 {current}，更正单写的是 {given}。请核对更正单。"
)
LEDGER_CORRECTION_NO_CHANGE = (
    "更正后的值与台账中的现值相同（抽取 {draw_id}、对象 {uscc}、事项“{item}”），无需更正。"
)
LEDGER_AUDIT_GAP = "第 {seq} 条记录缺失（之后是第 {found} 条），记录可能被删除。"
LEDGER_AUDIT_BAD_START = "台账应从第 1 条记录开始，实际从第 {found} 条开始，开头的记录可能被删除。"
LEDGER_AUDIT_LINK = "第 {seq} 条记录登记的前一条校验值与第 {prev} 条记录不符，记录可能被删除、插入或改动。"
LEDGER_AUDIT_CONTENT = "第 {seq} 条记录的内容与其校验值不符，记录可能被改动。"
LEDGER_AUDIT_NOT_CANONICAL = "第 {seq} 条记录的内容格式不规范（不是标准 JSON），记录可能被手工改动。"
LEDGER_AUDIT_HEAD = "台账登记的最后一条记录是第 {head_seq} 条，实际最后是第 {last_seq} 条（或其内容不同），末尾的记录可能被删除或添加。"
LEDGER_AUDIT_ID = "第 {seq} 条记录登记的台账编号是 {chained}，台账文件中的编号却是 {meta}，台账编号可能被改动。"
LEDGER_AUDIT_OK = "台账完好：共核验 {checked} 条记录，校验链完整。"

# --- output writing (module constants) ---------------------------------------------------------
OUTPUT_EXISTS = "文件“{path}”已存在，为避免覆盖，本次没有写入。如确需覆盖请加 --force，或换一个输出文件名。"
OUTPUT_IS_DIRECTORY = (
    "“{path}”是一个文件夹，不能作为输出文件。请用 --out 指定一个文件名（例如该文件夹中的“结果.xlsx”）。"
)
OUTPUT_FOLDER_MISSING = "要保存到的文件夹“{folder}”不存在，无法写入“{path}”。请先创建该文件夹，或用 --out 指定已有文件夹中的文件名。"
OUTPUT_PERMISSION = "没有权限写入“{path}”（文件夹只读或无写入权限，或该文件正被 Excel 等程序打开）。请关闭占用该文件的程序，或用 --out 换一个位置。"
OUTPUT_DISK_FULL = (
    "磁盘空间已满，无法写入“{path}”。原有文件（如有）未被改动，也没有留下不完整的文件。请清理磁盘空间后重试。"
)
OUTPUT_IS_INPUT = "输出文件“{path}”与本次读取的文件“{source}”（输入文件或台账）是同一个文件，不能覆盖（加 --force 也不行）。请为输出另取一个文件名。"
OUTPUT_TWICE = "输出文件“{path}”与“{other}”是同一个文件，后写的会覆盖先写的。请为它们分别取不同的文件名（如公示表用 .xlsx，公示网页用 .html）。"
OUTPUT_TEMP_REPLACED = "写入“{target}”时使用的临时文件“{path}”被替换成了别的文件或快捷方式，为安全起见没有写入。请检查该文件夹是否有其他程序在改动文件，然后重试。"
PUBLISH_RELEASE_FAILED = "本次公示已登记到台账，但公示文件未能全部写出：{detail} 排除问题后请原样重新运行同一条 publish 命令，将补写缺少的文件（不会重复登记）。"
XLSX_CELL_TOO_LONG = "工作表“{sheet}”第 {row} 行“{column}”列（{letter} 列）的内容有 {length} 个字符，超过 Excel 单元格上限 32767 个字符，无法写入。请缩短该内容后重试。"
XLSX_TEXT_NEEDS_FAST_WRITER = "工作表“{sheet}”第 {row} 行“{column}”列（{letter} 列）的内容既含控制字符，又含形如 _x0041_ 或 <r>…</r> 的文字，当前安装的 xlsxwriter {version} 无法原样写入。请安装 xlsxwriter 3.3 系列版本后重试，或删除该内容中的控制字符。"
XLSX_DROPDOWN_WARNING = "这不是列表中的一个结果。一个事项有多个结果时，用顿号“、”连接列表中的结果，如“发现问题已责令改正、未按规定公示应当公示的信息”。确认无误请点“是”。"
XLSX_DROPDOWN_HINT = "从列表中选择；多个结果用顿号“、”连接。可选：{choices}"
XLSX_DROPDOWN_ERROR_TITLE = "输入值无效"
XLSX_DROPDOWN_ERROR = "请从下拉列表中选择。"
XLSX_OPTIONS_SHEET = "_选项"
XLSX_NOT_FOR_PRINT = "（机读数据，无需打印）"
XLSX_CONTINUED_SHEET = "{name}({part})"

# --- templates and workspace -------------------------------------------------------------------
TEMPLATE_USCC_COMMENT = "18 位统一社会信用代码。请先把本列设为“文本”格式，避免 Excel 把代码变成科学计数法。"
TEMPLATE_CATEGORY_COMMENT = "本年度计划中的监管类别：{choices}。一个主体有多个类别时用顿号“、”分隔。"
TEMPLATE_GUIDE = """晋城市商务局“双随机、一公开”名录库模板（一单两库）
1. “检查对象”工作表：每行一个监管对象。统一社会信用代码、名称、区域、监管类别为必填。
   · 统一社会信用代码：18 位，请设为文本格式；全角字符、空格会被自动规范。
   · 区域、信用风险分类、经营状态：请从下拉列表选择。信用风险分类可填 A/B/C/D 或 低风险/一般风险/较高风险/高风险，留空按“一般风险”处理。
   · 监管类别：本年度计划中的类别为 {categories}；多个类别用顿号“、”分隔。
   · 经营状态为注销、吊销、撤销、迁出的主体不会被抽取。
   · 其他列（地址、法定代表人、联系电话等）可自由增加，会原样保留。
2. “执法人员”工作表：每行一名执法人员。执法证号、姓名、部门为必填。
   · 执法证有效期至：填写日期（如 2026-12-31）；到期或为空的人员不会被抽取。
   · 在岗状态：离岗、退休、调离的人员不会被抽取。
   · 可检查类别：留空表示可检查所有类别；填写时只参加这些类别的任务。
   · 回避对象：需回避的主体的统一社会信用代码，多个用顿号分隔。
3. “回避关系”工作表（可选）：执法证号、统一社会信用代码、回避原因，每行一条回避关系。
4. 填好后在命令行运行：jcdraw validate registry.xlsx，按提示逐条修正问题。"""
WORKSPACE_README = """jcdraw 工作目录
================
本目录由 jcdraw init 生成，包含：
  plans/          本年度抽查计划（YAML），可按书面调整的计划修改；
  registry.xlsx   名录库模板（检查对象、执法人员、回避关系），请填写后使用；
  jcdraw.sqlite3  台账（抽取、结果、公示都记在这里，请定期备份，不要手工修改）。

常用命令（在本目录中打开命令行后运行）：
  jcdraw validate registry.xlsx                       校验名录库
  jcdraw plans                                        查看本年度抽查任务
  jcdraw draw --plan joint --task 1 --prepare         抽取前登记并生成抽取公告（先公布）
  jcdraw draw --plan joint --task 1 --seed "张三:3141 5926 5358" --seed "李四:9793 2384 6264"
                                                      当众抽取（每位见证人报一组数字，合计至少 20 位）
  jcdraw publish 抽取结果.xlsx                        录入并公示检查结果
  jcdraw status                                       查看公示进度
  jcdraw audit --against 抽取结果.xlsx                 用印出的页面核对台账（发现回退、改写）

每条命令都可以加 --help 查看说明。
"""
INIT_NOT_A_FOLDER = "“{path}”已存在且不是文件夹。请换一个文件夹名称。"
INIT_FORCE_FILLED = "名录库“{path}”中已填有数据，--force 不会用空白模板覆盖它，本次没有写入任何文件。如确需重新生成，请先把该文件移到别的文件夹保存，再运行 jcdraw init；只想补齐缺少的文件时，去掉 --force 即可。"
INIT_FORCE_LEDGER = "该工作目录已有台账“{path}”，正在使用中，--force 不会重新初始化它，本次没有写入任何文件。只想补齐缺少的文件时，去掉 --force 即可；如确需重新初始化，请先把台账移到别的文件夹妥善保存（不要删除），再运行 jcdraw init。"

# --- rendering (validate, plans) ---------------------------------------------------------------
PROBLEMS_TITLE = "发现的问题"
PROBLEM_HEADERS = ["级别", "工作表", "行", "列", "值", "说明", "代码"]
TASK_SUMMARY_TITLE = "各抽查任务情况（按本名录库）"
TASK_SUMMARY_HEADERS = [
    "计划/任务",
    "任务名称",
    "监管类别",
    "范围",
    "符合条件的对象",
    "首轮应抽数量",
    "执法人员（可用/至少）",
    "可组队",
]
PLANS_TITLE = "抽查计划任务"
PLANS_HEADERS = [
    "计划/任务",
    "任务名称与抽查事项",
    "监管类别/范围",
    "比例/频次",
    "起止时间",
    "发起部门（配合部门）",
    "模式",
]
PLANS_PARTNERS = "\n（配合：{partners}）"
VALIDATE_OK = "✓ 校验通过：{file}（错误 {error} 处，警告 {warning} 处，提示 {info} 处）。"
VALIDATE_FAILED = (
    "✗ 校验未通过：{file} 有 {error} 处错误、{warning} 处警告，请按上表逐条修正后重新运行 jcdraw validate。"
)
REPORT_WRITTEN = "问题清单已写入：{path}"
TEMPLATE_WRITTEN = "名录库模板已生成：{path}。请按“说明”工作表填写。"
INIT_DONE = "工作目录已就绪：{path}（新建 {count} 个文件）。请先填写 registry.xlsx，然后运行 jcdraw validate registry.xlsx。"
BAD_DATE_OPTION = "选项 {option} 的日期“{value}”无效。请写成 2024-05-20 这样的格式。"
PROBLEM_REPORT_HEADERS = ["级别", "代码", "工作表", "行号", "列", "值", "说明"]

# --- draw (module constants) -------------------------------------------------------------------
DRAW_SEED_EMPTY = "随机种子为空。请输入至少 20 位数字，可用空格或短横线分组，例如“3141 5926 5358 9793 2384”（如当众掷 20 次十面骰子所得）。"
DRAW_SEED_NOT_DIGITS = "随机种子只能由数字组成（可用空格或短横线分组），但其中含有 {chars}。请改为纯数字，例如“3141 5926 5358 9793 2384”。"
DRAW_SEED_TOO_SHORT = "随机种子只有 {count} 位数字，至少需要 {minimum} 位。请补足位数，例如“3141 5926 5358 9793 2384”（共 20 位）。"
DRAW_TEAM_IMPOSSIBLE_DEPARTMENT = "无法为检查对象 {entity} 组成检查组：部门“{department}”{reason}。请补充该部门的执法人员或核对回避关系后重新抽取。"
DRAW_TEAM_IMPOSSIBLE = (
    "无法为检查对象 {entity} 组成检查组：{reason}。请补充执法人员或核对回避关系后重新抽取。"
)
DRAW_TEAM_ALL_RECUSED = "该部门所有 {total} 名执法人员均需回避"
DRAW_TEAM_RECUSALS_SHORT = (
    "该部门 {total} 名执法人员中有 {recused} 名需回避，只剩 {available} 名，至少需要 {required} 名"
)
DRAW_TEAM_TOO_FEW = "该部门只有 {available} 名符合条件的执法人员，至少需要 {required} 名"
DRAW_TEAM_BELOW_MIN_SIZE = "可用执法人员不足 {min_size} 名（扣除回避后共 {available} 名）"

# --- result categories -------------------------------------------------------------------------
RESULT_CATEGORIES_INVALID = "检查结果类别文件“{path}”格式不正确：categories 应为非空的文字列表，exclusive 中的结果必须出现在 categories 中。"

# --- drawing and the assignment workbook -------------------------------------------------------
DRAW_REGISTRY_ERRORS = (
    "名录库“{path}”有 {count} 处错误，未进行抽取。请先运行 jcdraw validate {path}，逐条修正后再抽取。"
)
DRAW_POOL_CHANGED = "计划“{plan}”任务 {task} 第 {round} 轮的抽取条件与 {when}（北京时间）登记的抽取前公告不一致：{details}。本次未抽取；这次被拒绝的抽取及其随机种子已记入台账，该种子已公开，不能再用。请查明原因；如确需按现在的名录库抽取，请在原命令中去掉 --seed，加 --prepare --reason 原因 重新登记，打印新公告公布后，再当众产生新的随机种子抽取。"
POOL_ADDED = "新增 {count} 个对象（{codes}）"
POOL_REMOVED = "减少 {count} 个对象（{codes}）"
POOL_RECLASSED = "{count} 个对象的信用风险分类改变（{codes}）"
POOL_COUNTS = "各风险类别数量由 {before} 变为 {now}"
POOL_REGISTRY_CHANGED = "名录库文件也已改变"
DRAW_OUTSIDE_PERIOD = (
    "抽取日期 {as_of} 不在任务起止时间（{start} 至 {end}）内，仍按要求抽取。请确认日期无误。"
)
TEAM_LABEL = "第{n}组"
RECORD_LABELS = {
    "draw_id": "抽取编号",
    "plan": "计划编号",
    "plan_name": "计划名称",
    "document_number": "文号",
    "plan_version": "计划版本",
    "plan_sha256": "计划文件 SHA-256",
    "task": "任务编号",
    "task_name": "任务名称",
    "category": "监管类别",
    "round": "抽取轮次",
    "seed": "随机种子",
    "registry_file": "名录库文件",
    "registry_sha256": "名录库文件 SHA-256",
    "pool_sha256": "对象池 SHA-256",
    "pool_size": "符合条件的对象数",
    "as_of": "抽取日期",
    "drawn_at": "抽取时间（UTC）",
    "tool_version": "jcdraw 版本",
    "supersedes": "取代的抽取编号",
    "redraw_reason": "重新抽取原因",
}
RECORD_RULE_LABEL = "抽号规则"
RECORD_RULE = (
    "每个符合条件的对象的号码 = SHA-256（UTF-8 文本“{seed}|{plan}|{task}|{round}|统一社会信用代码”），"
    "写成 64 位小写十六进制；按信用规则确定各层的抽取数量，每层抽取号码最小的对象。"
    "检查组按部门依次选取：本次已分配数量少者优先，其次未曾检查过该对象者优先，"
    "再按执法人员的号码 SHA-256（“{seed}|{plan}|{task}|{round}|执法证号|已分配数量”）从小到大；"
    "已分配数量从 0 起，每分配一个对象加 1，号码随之更换；回避人员不参加。"
)
RECORD_STRATUM_LABEL = "分层 {cls}"
RECORD_STRATUM = (
    "符合条件 {eligible} 个，比例 {ratio}（{ratio_percent:.2%}），每年 {frequency} 轮，本轮抽取 {drawn} 个"
)
RECORD_TOTAL_LABEL = "合计"
RECORD_TOTAL = "符合条件 {pool} 个，共抽取 {drawn} 个"
RECORD_CREDIT_RULE_LABEL = "信用规则"
RECORD_SAMPLING_LABEL = "抽查类型"
RECORD_NOMINAL_LABEL = "计划抽查比例"
RECORD_CLASS = "符合条件 {eligible} 个{share}，本轮抽取 {drawn} 个，实际比例 {effective}"
RECORD_CLASS_OUT = "符合条件 {eligible} 个，每年 {frequency} 轮，本轮不抽"
RECORD_CLASS_WEIGHT = "，权重 {weight}，名额 {quota}"
RECORD_CLASS_RATIO = "，该类比例 {ratio}"
RECORD_FLAT_TOTAL = "本轮对象 {eligible} 个，按计划比例抽取 {drawn} 个，实际比例 {effective}"
RECORD_ROUND_TOTAL = "本轮参加抽取的对象 {eligible} 个（全部符合条件的 {pool} 个），共抽取 {drawn} 个，实际比例 {effective}"
RULE_WEIGHTED = "按风险加权分配：本轮共抽 ⌈计划比例 × 本轮对象数⌉ 个，按“权重 × 对象数”分给各类（权重 {weights}；每年频次 {frequencies}）"
RULE_LABEL_WEIGHTED = "按风险加权分配 {weights}"
RULE_LABEL_FLAT = "不分类别"
RULE_LABEL_RATIOS = "分类比例 {ratios}"
RULE_FLAT = "不分类别：在全部符合条件的对象中抽 ⌈计划比例 × 对象数⌉ 个（每年 {frequency} 次）"
RULE_RATIOS = "分类比例：每类抽 ⌈该类比例 × 该类对象数⌉ 个（比例 {ratios}；每年频次 {frequencies}）"
SAMPLING_TARGETED = "定向抽查：只抽{conditions}的对象"
SAMPLING_TARGET_CLASSES = "信用风险为 {classes} 类"
SAMPLING_TARGET_FLAG = "“{column}”为“{value}”"
DRAW_WRITE_FAILED = "抽取已记入台账（抽取编号 {draw_id}），但抽取结果表未能写出：{detail}\n可运行“jcdraw export --draw {draw_id} --out 文件名.xlsx”重新导出。"
DRAW_DONE = "✓ 抽取完成：抽取编号 {draw_id}，从 {pool} 个符合条件的对象中抽取 {drawn} 个。结果已写入“{out}”，并记入台账“{ledger}”。"
DRAW_SEED_RANDOM = "本次随机种子（请记录并公布）：{seed}"
DRAW_STRATA_TITLE = "分层抽取情况"
DRAW_STRATA_HEADERS = ["风险分类", "符合条件", "权重/该类比例", "名额", "每年轮次", "本轮抽取", "实际比例"]
DRAW_RULE_LINE = "信用规则：{rule}\n计划比例 {nominal}；本轮参加抽取的对象 {eligible} 个，抽取 {drawn} 个，实际比例 {effective}。"
DRAW_NOT_IN_ROUND = "本轮不抽"
DRAW_LOADS_TITLE = "执法人员分配数量"
DRAW_LOADS_HEADERS = ["部门", "人数", "分配数量（最少–最多）"]
DRAW_SEED_REQUIRED = "抽取必须提供随机种子：每位见证人当众报一组数字，用 --seed \"姓名:数字\" 逐个填写（合计至少 20 位），例如 --seed \"张三:3141 5926 5358\" --seed \"李四:9793 2384 6264\"。若要先公布抽取公告，请用 --prepare；只是演练，请加 --practice。"
PREPARE_DONE = (
    "✓ 已登记第 {number} 次抽取前公告（计划“{plan}”任务 {task} 第 {round} 轮）。请在产生随机种子之前公布以下校验值：\n"
    "  对象池 SHA-256：{pool_sha256}（符合条件的对象 {pool_size} 个，本轮将抽取 {planned_total} 个）\n"
    "  执法人员池 SHA-256：{inspectors_sha256}\n"
    "  回避关系 SHA-256：{recusals_sha256}\n"
    "  名录库 SHA-256：{registry_sha256}\n"
    "  {anchor}"
)
EXPORT_DONE = "✓ 已按台账重新导出抽取编号 {draw_id} 的抽取结果表：{out}"
# --- the public 抽查名单 (jcdraw.draw.public_list; export --public, publish --with-lists) -----------------
PUBLIC_LIST_DEFAULT_OUT = "抽查名单-{draw_id}.xlsx"
PUBLIC_LIST_TITLE = "任务 {task}：{task_name}　抽查名单"
PUBLIC_LIST_TASK_HEADERS = ["项目", "内容"]
PUBLIC_LIST_HEADERS = ["序号", "企业名称", "统一社会信用代码", "区域"]
PUBLIC_LIST_LABELS = {
    "plan": "抽查计划",
    "document_number": "文号",
    "task": "抽查任务",
    "sampling": "抽查类型",
    "items": "抽查事项",
    "ratio": "抽查比例",
    "period": "检查期限",
    "departments": "检查部门",
    "draw_id": "抽取编号",
    "round": "抽取轮次",
    "drawn_on": "抽取日期",
    "count": "抽取对象",
    "anchor": "台账校验",
}
PUBLIC_LIST_ROUND = "本年度第 {round} 轮"
PUBLIC_LIST_COUNT = "{count} 户"
PUBLIC_LIST_DONE = "✓ 已写出抽取编号 {draw_id} 的抽查名单（{count} 户，不含信用风险分类和检查人员，可公开）：{out}"
PUBLIC_LIST_SUPERSEDED = "抽取编号 {draw_id} 已被重新抽取（新编号 {by}）取代，其名单不再有效，不能公开。请导出 {by} 的抽查名单。"
EXPORT_WHAT = "请指明要导出什么：--draw 抽取编号（抽取结果表，加 --public 为可公开的抽查名单），或 --platform 文件名（平台导入表），二者选一。"
EXPORT_PLATFORM_ALONE = "--platform 写出平台导入表，文件名就写在 --platform 后面，不能与 --public 或 --out 同用。"
EXPORT_YEAR_NEEDS_PLATFORM = "--year 只与 --platform 同用（导出该年度已公示的结果）；导出某次抽取时请去掉 --year。"
VERIFY_NO_RECORD = "文件“{path}”中找不到“抽取记录”工作表或其中的机读记录，无法核验。请使用 jcdraw draw 生成的原始抽取结果表。"
VERIFY_PLAN_CHANGED = "计划“{plan}”的文件（{path}）与抽取时使用的不同（SHA-256 已改变）"
VERIFY_REGISTRY_CHANGED = "名录库“{path}”与抽取时使用的文件不同（SHA-256 已改变）"
VERIFY_POOL_CHANGED = "符合条件的对象池与抽取时不同（对象池 SHA-256 已改变）"
VERIFY_MISSING = "对象 {uscc} 按规则应被抽中，但结果表中没有"
VERIFY_EXTRA = "对象 {uscc} 出现在结果表中，但按规则不应被抽中"
VERIFY_TEAM = "对象 {uscc} 的检查组不一致：结果表为 {listed}，按规则应为 {expected}"
VERIFY_OK = "✓ 一致：抽取编号 {draw_id} 按名录库“{registry}”重新计算，结果与“{workbook}”完全相同。"
VERIFY_FAILED = "✗ 不一致：抽取编号 {draw_id} 重新计算后发现 {count} 处差异："
DRAW_REDRAW_NEEDS_REASON = (
    '--redraw 和 --reason 必须同时使用：重新抽取必须写明原因，例如 --redraw --reason "名录库漏登 3 家企业"。'
)

# --- witnessed seeds, commitments, anchors, rehearsals, empty rounds (issue 11, draw side) -------
DRAW_WITNESS_NAME_EMPTY = "随机种子“{text}”的冒号前没有见证人姓名。请写成“姓名:数字”，例如 --seed \"张三:3141 5926 5358\"。"
DRAW_WITNESS_NAME_MISSING = "给了多个 --seed 时，每个都要写明报数的见证人：“{text}”缺少姓名。请写成“姓名:数字”，例如 --seed \"张三:3141 5926 5358\" --seed \"李四:9793 2384 6264\"。"
DRAW_WITNESS_NAME_BAD = "随机种子“{text}”中的见证人姓名含有控制字符或不可见字符。请重新输入姓名。"
DRAW_WITNESS_NO_DIGITS = "见证人“{name}”没有报数字。请在冒号后填写其当众报出的数字，例如 --seed \"{name}:3141 5926 5358\"。"
DRAW_SEED_RANDOM_REFUSED = "正式抽取不能使用 --seed random：随机种子须由见证人当众产生，例如 --seed \"张三:3141 5926 5358\" --seed \"李四:9793 2384 6264\"（合计至少 20 位）。只是演练的，请加 --practice（演练不记入台账）。"
DRAW_SEED_REVEALED = "计划“{plan}”任务 {task} 第 {round} 轮在 {when}（北京时间）被拒绝的抽取中已经公开过这个随机种子，不能再用，本次未抽取（这次尝试已记入台账）。请重新当众产生随机种子。"
DRAW_EMPTY = "计划“{plan}”任务 {task} 第 {round} 轮在 {as_of} 没有可抽取的检查对象（全部符合条件的对象 {pool} 个，本轮参加抽取的 0 个），未抽取，台账中没有记录。请先运行 jcdraw validate 核对名录库；确实没有对象的，请在本次命令中去掉 --seed，改加 --record-empty，登记“本轮无符合条件的对象”的说明。"
DRAW_NOT_EMPTY = "计划“{plan}”任务 {task} 第 {round} 轮在 {as_of} 有 {drawn} 个检查对象可以抽取，不能登记为“无符合条件的对象”，台账中没有记录。请去掉 --record-empty，按正常程序抽取。"
DRAW_RECORD_EMPTY_OPTIONS = "--record-empty 只登记“本轮无符合条件的对象”的说明，不需要随机种子，也不能与 --prepare、--redraw、--practice 同时使用。请去掉这些选项后重试。"
DRAW_PRACTICE_OPTIONS = "--practice 是演练，不记入台账，不能与 --prepare、--redraw、--record-empty 同时使用。请去掉这些选项后重试。"
EMPTY_FILE_PREFIX = "无对象说明-"
EMPTY_DONE = "✓ 已登记说明：计划“{plan}”任务 {task} 第 {round} 轮在 {as_of} 没有符合条件的检查对象，本轮未抽取（编号 {draw_id}）。说明已写入“{out}”，并记入台账“{ledger}”。以后有了符合条件的对象，可直接抽取，无需 --redraw。"
PRACTICE_DONE = "✓ 演练完成（未记入台账）：从 {pool} 个符合条件的对象中抽取 {drawn} 个，演练结果已写入“{out}”。每张工作表都标明“演练”，不能用于检查或公示。"
DRAW_ANCHOR = "请在抽取记录（“抽取记录”工作表）上签字后公布。{anchor}"
PRACTICE_TITLE = "演练（不是正式抽取，未记入台账，不能用于检查或公示）— {sheet}"
PRACTICE_FOOTER = "演练，未记入台账"
# Page headers of printed sheets: what the page belongs to (plan and task, or the plans of a report).
PRINT_HEADER_DRAW = "{plan_name} · 任务 {task}“{task_name}”第 {round} 轮 · {sheet}"
PRINT_HEADER = "{scope} · {what}"
PRINT_HEADER_PUBLICITY = "{plans} 抽查结果公示 · {sheet}"
PRINT_HEADER_PROBLEMS = "名录库“{registry}”校验发现的问题（{plans}）"
PRINT_HEADER_VISITS = "{year} 年度检查安排（一业一查）· {sheet}"
PREPARE_NEEDS_REASON = "计划“{plan}”任务 {task} 第 {round} 轮已登记过 {count} 次抽取前公告（最近一次 {when}，北京时间）。再次登记须写明原因：请加 --reason 原因（原因会记入台账并印在新公告上）。"
PREPARE_EMPTY = "计划“{plan}”任务 {task} 第 {round} 轮没有可抽取的检查对象，无需公告，台账中没有记录。确实没有对象的，请去掉 --prepare，改加 --record-empty 登记说明。"
PREPARE_NOTICE_WRITTEN = "抽取公告已写入“{out}”：请打印、盖章后在抽取前公布。"
PREPARE_NOTICE_FAILED = "抽取前公告已记入台账，但公告文件未能写出：{detail}\n请处理后运行 jcdraw draw --prepare --reason 公告文件未能写出，再次登记并写出公告。"
PREPARE_OPTIONS = "--place、--draw-time、--witness 只用于 --prepare（印在抽取公告上）。请去掉这些选项，或加 --prepare。"
DRAW_POOL_CHANGED_UNRECORDED = "计划“{plan}”任务 {task} 第 {round} 轮的抽取条件与 {when}（北京时间）登记的抽取前公告不一致：{details}。台账中没有记录。请查明原因；如确需按现在的名录库办理，请加 --prepare --reason 原因 重新登记并公布。"
PRACTICE_POOL_CHANGED = "演练：计划“{plan}”任务 {task} 第 {round} 轮的抽取条件与 {when}（北京时间）登记的抽取前公告不一致：{details}。正式抽取也会因此被拒绝。演练未记入台账；请查明原因，如确需按现在的名录库抽取，请加 --prepare --reason 原因 重新登记并公布。"
COMMITMENT_PLAN_CHANGED = "抽查计划文件（{path}）已改变"
INSPECTORS_ADDED = "新增 {count} 名执法人员（{codes}）"
INSPECTORS_REMOVED = "减少 {count} 名执法人员（{codes}），如离岗、调离、执法证到期或不再具备检查资格"
INSPECTORS_MOVED = "{count} 名执法人员的部门改变（{codes}）"
RECUSAL_ADDED = "新增 {count} 条回避关系（{codes}）"
RECUSAL_REMOVED = "减少 {count} 条回避关系（{codes}）"
NOTICE_TITLE = "{plan_name}（{document_number}）任务 {task}“{task_name}”第 {round} 轮随机抽取公告"
NOTICE_LABELS = {
    "number": "公告编号",
    "reason": "重新公告原因",
    "plan": "抽查计划",
    "task": "抽查任务",
    "sampling": "抽查类型",
    "category": "监管类别",
    "items": "检查事项",
    "scope": "抽查范围",
    "departments": "参加部门",
    "period": "任务期限",
    "round": "抽取轮次",
    "rule": "抽取规则",
    "pool": "符合条件的检查对象",
    "planned": "本轮将抽取",
    "inspectors": "执法人员",
    "recusals": "回避关系",
    "ticket_rule": "抽号规则",
    "seed_rule": "随机种子产生办法",
    "draw_time": "抽取时间",
    "place": "抽取地点",
    "witnesses": "见证人",
    "pool_sha256": "对象池 SHA-256",
    "inspectors_sha256": "执法人员池 SHA-256",
    "recusals_sha256": "回避关系 SHA-256",
    "registry_sha256": "名录库文件 SHA-256",
    "plan_sha256": "计划文件 SHA-256",
    "note": "说明",
    "date": "公告日期",
    "seal": "发布单位（盖章）",
}
NOTICE_NUMBER = "{plan}-T{task}-R{round} 第 {n} 次公告"
NOTICE_PLAN = "{name}（{document_number}），计划编号 {plan}，第 {version} 版"
NOTICE_TASK = "任务 {task}：{name}"
NOTICE_ROUND = "本年度第 {round} 轮"
NOTICE_RATIO = "计划抽查比例 {ratio}"
NOTICE_POOL = "{count} 个（{classes}）"
NOTICE_PLANNED = "{count} 个（{classes}），由随机种子决定具体对象"
NOTICE_CLASS_COUNT = "{cls} {count} 个"
NOTICE_ALL = "不分类别"
NOTICE_DEPARTMENT_COUNT = "{department} {count} 名"
NOTICE_INSPECTORS = "符合条件的执法人员 {count} 名（{departments}）；每个检查组至少 {min_size} 人，其中 {rule}；按回避关系回避"
NOTICE_RECUSALS = "涉及本任务对象和执法人员的回避关系 {count} 条"
NOTICE_SEED_PLACEHOLDER = "随机种子"
NOTICE_SEED_RULE = "抽取时由见证人当众各报一组数字（如掷十面骰子所得），按报数顺序连接成随机种子，合计至少 20 位；各人所报数字记入抽取记录并公布。"
NOTICE_NOTE = "本公告在产生随机种子之前公布，上列校验值确定了本轮抽取所用的检查对象、执法人员和回避关系。抽取时如与本公告不一致，抽取将被拒绝，被拒绝的抽取及其随机种子记入台账并在抽取记录中列明。抽取结束后公布抽取记录，任何人可按抽号规则复算。"
POOL_SHEET_TITLE = "对象池：全部 {count} 个符合条件的对象（对象池 SHA-256 {pool}）。号码 = SHA-256（“{seed}|{plan}|{task}|{round}|统一社会信用代码”）；各层按号码从小到大抽取，数量见“抽取记录”"
RECORD_PRACTICE_LABEL = "演练"
RECORD_PRACTICE = "本工作簿是演练，不是正式抽取，未记入台账，不能用于检查或公示。"
RECORD_EMPTY_LABEL = "说明"
RECORD_EMPTY = "计划“{plan}”任务 {task} 第 {round} 轮在 {as_of} 没有符合条件的检查对象（全部符合条件的对象 {pool} 个，本轮参加抽取的 {eligible} 个），本轮未抽取。以后名录库有了符合条件的对象，可直接抽取，本说明即被取代。"
RECORD_SEED_SOURCE_LABEL = "随机种子产生办法"
RECORD_SEED_WITNESSED = "{count} 名见证人当众报数，按报数顺序连接（共 {digits} 位）"
RECORD_SEED_PLAIN = "操作人员录入的一串数字（未登记报数的见证人）"
RECORD_WITNESS_LABEL = "见证人 {n}"
RECORD_WITNESS = "{name}：{digits}"
RECORD_NO_COMMITMENT_LABEL = "抽取前公告"
RECORD_NO_COMMITMENT = "未事先公告"
RECORD_COMMITMENT_LABEL = "抽取前公告（第 {n} 次）"
RECORD_COMMITMENT = "{when}（北京时间）登记，台账第 {seq} 条，记录校验值 {hash}；对象池 SHA-256 {pool}，执法人员池 SHA-256 {inspectors}，回避关系 SHA-256 {recusals}{reason}"
RECORD_COMMITMENT_REASON = "；再次公告原因：{reason}"
RECORD_COMMITMENT_OLD = "对象池 SHA-256 {pool}，名录库文件 SHA-256 {registry}"
RECORD_REFUSED_LABEL = "被拒绝的抽取（第 {n} 次）"
RECORD_REFUSED = "{when}（北京时间），随机种子 {seed}{witnesses}，台账第 {seq} 条：{details}"
RECORD_REFUSED_WITNESSES = "（{witnesses}）"
RECORD_LEDGER_ID_LABEL = "台账编号"
RECORD_RECORD_HASH_LABEL = "记录校验值"
RECORD_HEAD_LABEL = "台账校验值"
RECORD_ANCHOR_LABEL = "台账锚点"
RECORD_ANCHOR_NOTE = "{anchor}。本页印出时台账的状态；台账以后被回退或改写，用 jcdraw audit --against 本文件（或 --expect-head 校验值）核对即可发现。"
RECORD_SIGN_DRAWER = "抽取人（签字）"
RECORD_SIGN_SUPERVISOR = "监督人（签字）"
RECORD_SIGN_WITNESS = "见证人（签字）"
RECORD_SIGN_DATE = "日期"
RECORD_DATE = "{year} 年 {month} 月 {day} 日"
RECORD_DATE_BLANK = "＿＿＿＿年＿＿月＿＿日"
VERIFY_CELL = "抽取记录中“{label}”为“{shown}”，与机读记录（{recorded}）不符"
VERIFY_CELL_MISSING = "抽取记录中缺少“{label}”一行（机读记录为 {recorded}）"
VERIFY_WITNESSES = "抽取记录中的见证人报数与机读记录不符：表中为 {shown}，机读记录为 {recorded}"
VERIFY_ANCHOR_MISMATCH = "抽取记录中的台账编号、记录校验值、台账校验值与“台账锚点”一行不一致"
VERIFY_INSPECTORS_CHANGED = "符合条件的执法人员与抽取时不同（执法人员池 SHA-256 已改变）"
VERIFY_RECUSALS_CHANGED = "涉及本任务的回避关系与抽取时不同（回避关系 SHA-256 已改变）"
VERIFY_REGISTRY_UPDATED = "名录库已更新，对象池与人员池一致"
VERIFY_NAME = "对象 {uscc} 的名称：结果表为“{listed}”，按名录库应为“{expected}”"
VERIFY_MEMBER_NAME = "对象 {uscc} 的检查组中执法证号 {badge} 的姓名：结果表为“{listed}”，按名录库应为“{expected}”"
VERIFY_INSPECTOR_FIELDS = ("姓名", "部门", "分配数量")
VERIFY_INSPECTOR_ROW = "检查人员表中执法证号 {badge} 的{field}：表中为“{listed}”，应为“{expected}”"
VERIFY_INSPECTOR_MISSING = "检查人员表中缺少执法证号 {badge}（符合条件的执法人员）"
VERIFY_INSPECTOR_EXTRA = "检查人员表中的执法证号 {badge} 不是符合条件的执法人员"
VERIFY_POOL_SHEET = "对象池工作表有 {count} 个对象的代码、风险分类或号码与重新计算不符（如 {codes}）"
VERIFY_POOL_SHEET_MISSING = "工作簿中没有“对象池”工作表"
VERIFY_EMPTY_NOT_EMPTY = "这是“本轮无符合条件的对象”的说明，但按名录库“{path}”本轮现在有 {count} 个对象可抽"
VERIFY_SEED_LINE = "随机种子：{seed}"
VERIFY_WITNESS_LINE = "  见证人 {n}：{text}"
VERIFY_COMMITMENT_LINE = "抽取前公告（第 {n} 次）：{text}"
VERIFY_REFUSED_LINE = "被拒绝的抽取（第 {n} 次）：随机种子 {seed}，{when}（北京时间）：{details}"
VERIFY_ANCHOR_LINE = "台账锚点：{anchor}（可用 jcdraw audit --against 文件 与台账核对）"
VERIFY_NOTE_LINE = "注：{note}"

# --- publish (module constants) ---------------------------------------------------------------
PLAN_RULE_AND_LEGACY = "同时写了 credit_rule 和旧版的 multiplier/ratio/frequency。设置信用规则后，请删除风险类别中的 multiplier、ratio、frequency"
PLAN_RULE_CLASSES = "应恰好列出风险类别 {classes}（现在写的是 {given}）"
PLAN_RULE_WEIGHT_POSITIVE = "中的权重必须大于 0（权重为 0 相当于不抽查该类，应另设定向抽查任务）"
PLAN_RULE_WEIGHT_RISING = "中的权重不能随风险升高而减小（按 {classes} 的顺序，后一类不小于前一类）"
PLAN_RULE_RATIO_RANGE = "中的比例必须大于 0、不超过 100%"
PLAN_TARGET_NEEDED = "：定向抽查（sampling: 定向）必须写明 target（抽取哪些对象），写了 target 的任务也必须标明 sampling: 定向"
PLAN_TARGET_CLASS = "中的“{value}”不是本计划的风险类别"
PLAN_TARGET_EMPTY = "没有写任何条件：请写 risk_classes（风险类别）或 registry_flags（名录库中的标记列）"
PLAN_CHANGES_VERSION = "的最后一条记录是版本 {last}，但计划的 version 是 {version}。调整计划时请同时升级 version 并在 changes 中写明"
PLAN_OF_DRAW_NOT_FOUND = "找不到抽取时使用的抽查计划“{plan}”（抽取时的文件：{path}）。请把该计划的 YAML 文件放回原处，或放到当前文件夹的 plans 文件夹中后重试。"
PUBLISH_DEFAULT_OUT = "公示-{as_of}.xlsx"
PUBLISH_DONE = "✓ 新登记 {recorded} 个检查对象的检查结果，新公示 {published} 个（按期 {on_time} 个，逾期 {late} 个）；尚未填写结果的检查对象 {pending} 个。"
PUBLISH_LATE_NOTE = "注意：{late} 个检查对象的结果超过公示期限（计划规定检查完成后 {workdays} 个工作日内公示）才公示，已公示但计为逾期。"
PUBLISH_WORKDAYS_OF_PLAN = "{days}（{plan}）"  # one plan's deadline when the plans of late results differ
PUBLISH_OUT_OF_PERIOD_NOTE = "注意：本次登记的 {count} 个检查对象的检查日期超出任务起止时间或早于抽取日期，已照常登记公示，公示表“备注”注明“超出计划期限”（见上表）。"
PUBLISH_NOTHING_NEW = "本次没有需要新登记或新公示的结果（工作簿中已填写的结果与台账一致）。"
PUBLISH_WRITTEN = "公示表已写入：{path}"
PUBLISH_HTML_WRITTEN = "公示网页已写入：{path}"
# --- platform export (jcdraw.plans.platform, jcdraw.publicity.platform; publish/export --platform) --------
# The data a column of plans/platform.yaml can take (field: …), by its Chinese name.
PLATFORM_FIELDS = {
    "platform_plan_id": "平台计划编号",
    "platform_task_id": "平台任务编号",
    "plan": "计划编号",
    "plan_name": "计划名称",
    "document_number": "文号",
    "task": "任务编号",
    "task_name": "任务名称",
    "inspection_type": "抽查类型",
    "authority": "抽查机关",
    "departments": "检查实施机关",
    "uscc": "统一社会信用代码",
    "name": "企业名称",
    "completed": "抽查完成日期",
    "item": "检查事项序号",
    "item_text": "检查事项",
    "result": "检查结果",
    "note": "更正说明",
    "remark": "备注",
    "draw_id": "抽取编号",
    "published_on": "公示日期",
    "followup": "处置结果",
}
PLATFORM_OWN_ID = "{id}（待补平台编号）"
PLATFORM_UNREADABLE = "平台导出设置文件“{path}”无法读取：{detail}。"
PLATFORM_YAML_ERROR = "平台导出设置文件“{path}”不是有效的 YAML：{detail}。请检查缩进和冒号。"
PLATFORM_YAML_UNSAFE = "平台导出设置文件“{path}”含有不允许的 YAML 标签或别名（{detail}），已拒绝读取。该文件只能包含普通的文字和列表。"
PLATFORM_INVALID = "平台导出设置文件“{path}”有误：{where}{detail}。请对照该文件开头的说明修改后重试。"
PLATFORM_WHERE_COLUMN = "columns 中第 {n} 列（{header}）"
PLATFORM_NOT_MAPPING = "文件内容应是“名称: 值”的形式（sheet、dates_as_text、columns）"
PLATFORM_UNKNOWN_SETTING = "的“{value}”不是可用的设置项（可用：{choices}）"
PLATFORM_NO_COLUMNS = "columns（导入表的各列）为空或不是列表：请按平台模板逐列写出，每列一行，如 - {header: 企业名称, field: 企业名称}"
PLATFORM_COLUMN_SHAPE = "应写成 {header: 列名, field: 数据} 或 {header: 列名, value: 固定值}"
PLATFORM_EMPTY_HEADER = "缺少 header（导入表中的列名）"
PLATFORM_FIELD_OR_VALUE = "须写 field（这一列取哪项数据）或 value（每行相同的固定值）二者之一，不能都写，也不能都不写"
PLATFORM_UNKNOWN_FIELD = "的 field“{value}”不是可用的数据（可用：{choices}）"
PLATFORM_VALUE_TEXT = "的 value 应是文字或数字"
PLATFORM_VALUES_SHAPE = "的 values 应写成 {jcdraw 的写法: 平台的写法}，如 {不定向抽查: 不定向}"
PLATFORM_DUPLICATE_HEADER = "的列名与第 {other} 列重复"
PLATFORM_BAD_SETTING = "设置项“{setting}”的值不对（sheet 应是文字，dates_as_text 应是 true 或 false）"
PLATFORM_NO_PLAN_ID = "注意：计划“{plan}”（{path}）没有填写省级平台的抽查计划编号（platform_plan_id），导入表的“{header}”暂用本系统编号并注明“待补平台编号”。请在计划文件中填写平台上的编号后重新导出。"
PLATFORM_NO_TASK_ID = "注意：计划“{plan}”的任务 {tasks} 没有填写省级平台的抽查任务编号（platform_task_id），导入表的“{header}”暂用本系统编号并注明“待补平台编号”。请在计划文件的这些任务中填写平台上的编号后重新导出。"
PLATFORM_WRITTEN = "平台导入表已写入：{path}（{rows} 行，按 {mapping} 的格式）。"
PLATFORM_NOTHING = "本次没有新公示的结果，平台导入表“{path}”只有表头。全年已公示的结果可用 jcdraw export --platform 文件名.xlsx --year 年度 导出。"
PLATFORM_NO_PUBLISHED = "台账中 {year} 年度还没有已公示的检查结果，平台导入表“{path}”只有表头。"
PLATFORM_NO_YEAR = "台账“{ledger}”中没有 {year} 年度的抽取记录，无法导出平台导入表。请核对 --year 和 --ledger。"
PLATFORM_NO_DRAWS = "台账“{ledger}”中还没有抽取记录，无法导出平台导入表。"
OPTION_SAME_FILE = "{option} 的文件“{path}”与本次的其他输入或输出是同一个文件，不能覆盖（加 --force 也不行）。请另取一个文件名。"
PUBLISH_LISTS_NEED_HTML = "--with-lists 把抽查名单加到公示网页中，须与 --html 网页文件名 同用。"
PLATFORM_EXPORTED = "✓ 已导出 {year} 年度已公示的检查结果。"
PUBLICITY_SHEET_PLANS = "抽查计划"
PUBLICITY_SHEET_TASKS = "抽查任务"
PUBLICITY_SHEET_RESULTS = "检查结果"
PUBLICITY_SHEET_STATS = "公示统计"
PUBLICITY_PLAN_HEADERS = ["计划编号", "计划名称", "抽查机关", "计划类型", "文号"]
# Publicity sheets as the national system shows them (issue 10): every task and result row names
# its plan (joint task 2 and internal task 2 differ) and its 抽查类型, from the plan.
PUBLICITY_TASK_HEADERS = [
    "计划编号",
    "计划名称",
    "任务编号",
    "任务名称",
    "抽查类型",
    "抽查事项",
    "抽查对象范围",
    "抽查机关",
    "抽查比例",
    "起止日期",
    "抽查模式",
]
# One published row's own cells (the HTML page's table shows these under each task's heading).
PUBLICITY_RESULT_ROW_HEADERS = [
    "企业名称",
    "统一社会信用代码",
    "检查实施机关",
    "检查完成日期",
    "检查事项",
    "检查结果",
    "更正说明",
    "备注",
    "处置结果",  # the follow-up of a finding (jcdraw followup), as the national system names it
]
PUBLICITY_RESULT_HEADERS = ["计划编号", "计划名称", "任务编号", "任务名称", "抽查类型", *PUBLICITY_RESULT_ROW_HEADERS]  # fmt: skip
PUBLICITY_STATS_HEADERS = [
    "计划编号",
    "任务编号",
    "任务名称",
    "抽取对象数",
    "已登记结果",
    "已公示",
    "按期公示",
    "逾期公示",
    "公示率",
    "完成率",
]
PUBLICITY_SAMPLING = {"不定向": "不定向抽查", "定向": "定向抽查"}  # a task's sampling → 抽查类型
PUBLICITY_ITEM = "{number}. {item}"  # 抽查事项 of a task with several items, joined by PUBLICITY_ITEMS_JOIN
PUBLICITY_ITEMS_JOIN = "；"
PUBLICITY_PERIOD = "{start} 至 {end}"
PUBLICITY_NO_MODE = "—"
BACKFILL_NEEDS_REASON = (
    "--as-of {as_of} 比今天（{today}）早 {days} 天以上，属于补录：请加 --backfill-reason 原因 写明为什么事后补录"
    "（台账同时记下补录日期，进度、公示表和台账核验都会标明“补录”）。"
)
BACKFILL_REASON_EMPTY = "--backfill-reason 不能为空，请写明补录的原因。"
BACKFILL_REMARK = "补录（{recorded_on} 登记）"  # 备注 of a result published by a backfilled publication
BACKFILL_LINE = "补录：{what}的日期为 {as_of}，实际登记于 {recorded_on}（原因：{reason}）"
BACKFILL_WHAT = "{kind}（台账第 {seq} 条记录）"
BACKFILL_KINDS = {"publication": "公示", "correction": "更正"}
PUBLICITY_OUT_OF_PERIOD = "超出计划期限"  # 备注 of a result dated outside the task period or before the draw
# 更正说明: one line per public correction (检查结果 and 检查日期; who inspected is not public).
PUBLICITY_CORRECTION_NOTE = "{date} 经 {approver} 批准（{ref}）更正，{old}；原因：{reason}"
PUBLICITY_CORRECTION_OLD = {"result": "原结果：{old}", "completed": "原检查日期：{old}"}
PUBLICITY_CORRECTION_OLD_JOIN = "，"
HTML_TITLE = "{authority}{years}年度双随机抽查检查结果公示"
HTML_YEARS_JOIN = "、"
HTML_PLAN_HEADING = "{plan_name}（{document_number}）"
HTML_PLAN_META = "计划编号：{plan}　抽查机关：{authority}　计划类型：{kind}　公示日期：{as_of}"
HTML_TASK_HEADING = "任务 {task}：{task_name}"
HTML_TASK_META = "抽查类型：{inspection_type}　抽查机关：{authority}　抽查比例：{ratio}　起止日期：{period}　抽查模式：{mode}"
HTML_TASK_SCOPE = "抽查事项：{items}　抽查对象范围：{scope}"
HTML_TASK_STATS = "抽取检查对象 {drawn} 户，已公示 {published} 户。"
HTML_FILTER_LABEL = "筛选："
HTML_FILTER_PLACEHOLDER = "输入企业名称、统一社会信用代码或检查结果"
HTML_NO_RESULTS = "暂无已公示的检查结果。"
HTML_FOOTER = "本页由 jcdraw {version} 于 {as_of} 根据抽查台账生成。"
HTML_FOOTER_ANCHOR = "{anchor}。"
HTML_LISTS_HEADING = "抽查名单（随机抽取的检查对象）"
HTML_LISTS_EMPTY = "暂无抽取记录。"
HTML_LIST_HEADING = "任务 {task}：{task_name}（第 {round} 轮，{drawn_on} 抽取，{count} 户，抽取编号 {draw_id}）"
CORRECT_FIELD_EMPTY = "{option} 不能为空：更正必须写明审批人（--approved-by）、审批文号（--approval-ref）和更正原因（--reason）。"
CORRECT_BAD_RESULT = "新结果“{value}”无效：{detail}。请从以下结果中选择（多个用顿号“、”分隔）：{choices}。"
CORRECT_UNKNOWN_PART = "“{part}”不是规定的结果类别"
CORRECT_EXCLUSIVE = "“{exclusive}”不能与其他结果同时填写"
CORRECT_EMPTY_RESULT = "新结果为空"
CORRECT_NOTHING = "没有要更正的内容：请用 --result（检查结果）、--date（检查日期）或 --inspectors（检查人员执法证号）写明更正后的值。"
CORRECT_NOT_THE_APPROVER = "计划规定更正须经单位主要负责人 {approver} 批准，--approved-by 写的是“{given}”。请由 {approver} 批准后再登记。"
CORRECT_BAD_DATE = "更正后的检查日期“{value}”不是有效日期。请写成 2024-05-20 这样的格式。"
CORRECT_DATE_FUTURE = "更正后的检查日期 {value} 晚于更正日期 {today}。检查日期不能是将来的日期。"
CORRECT_BAD_TEAM = "更正后的检查人员“{value}”不是该对象检查组的成员，或不足两人。该对象的检查组：{team}。请填写其中至少两人的执法证号，用顿号“、”分隔。"
CORRECT_ITEM_RANGE = "抽取编号 {draw_id} 的检查事项序号为 1 至 {count}，没有第 {item} 项。请核对 --item。"
CORRECT_DONE = "✓ 已登记更正：抽取 {draw_id}、对象 {uscc}、第 {item} 项，原结果“{old}”→ 新结果“{new}”（{approver} 批准，{ref}）。下次运行 jcdraw publish 时将公示更正后的结果和更正说明。"
CORRECT_DONE_FIELDS = "✓ 已登记更正：抽取 {draw_id}、对象 {uscc}、第 {item} 项，原为“{old}”→ 更正为“{new}”（{approver} 批准，{ref}）。下次运行 jcdraw publish 时将公示更正后的结果和更正说明。"
# Only the inspectors changed: the publicity names no inspector, so nothing public changes.
CORRECT_DONE_PRIVATE = "✓ 已登记更正：抽取 {draw_id}、对象 {uscc}、第 {item} 项，原为“{old}”→ 更正为“{new}”（{approver} 批准，{ref}）。检查人员不公示，本次更正只记入台账，公示内容不变。"
STATUS_SHEET = "公示进度"
STATUS_PENDING_SHEET = "待公示"
STATUS_TASK_LABEL = "{plan} 任务{task}"
STATUS_HEADERS = [
    "任务",
    "计划编号",
    "任务编号",
    "任务名称",
    "抽取对象",
    "已登记结果",
    "已公示",
    "按期公示",
    "逾期公示",
    "5个工作日内到期",
    "已逾期未公示",
    "期满未检查",
    "公示率",
    "已检查",
    "超出计划期限",
    "完成率",
    "状态",
]
STATUS_UNDRAWN = "未抽取"
STATUS_TERMINAL_HEADERS = [
    "计划编号", "任务编号", "任务名称", "抽取", "已检查", "已公示", "按期", "逾期",
    "5个工作日内到期", "已逾期未公示", "期满未检查", "公示率", "完成率",
]
STATUS_LAPSED = "✗ 截至 {as_of}：{count} 个任务的检查期限已过，仍有已抽中未检查的对象或尚未抽取：{tasks}。请在报告（--report）的“期满未检查”表中查看，并向双随机办说明。"
STATUS_ODD_DATES_NOTE = "注意：{count} 个检查对象的检查日期超出任务期限或早于抽取日期，照常公示，已在公示备注中注明“超出计划期限”。"
STATUS_UNDRAWN_ENDED = "期满未抽取"
STATUS_LAPSED_SHEET = "期满未检查"
STATUS_LAPSED_TITLE = "任务期满仍未检查的对象和未抽取的任务（截至 {as_of}）"
STATUS_LAPSED_HEADERS = ["计划编号", "任务编号", "抽取编号", "统一社会信用代码", "企业名称或任务名称", "任务截止日期", "情况"]
STATUS_LAPSED_UNINSPECTED = "已抽中，任务期满未检查"
STATUS_ODD_DATES_SHEET = "超出计划期限"
STATUS_ODD_DATES_TITLE = "检查日期超出任务期限或早于抽取日期的检查（截至 {as_of}；照常公示，已在备注中说明）"
STATUS_ODD_DATES_HEADERS = ["计划编号", "任务编号", "抽取编号", "统一社会信用代码", "企业名称", "检查日期"]
STATUS_PENDING_HEADERS = [
    "计划编号",
    "任务编号",
    "抽取编号",
    "统一社会信用代码",
    "企业名称",
    "检查完成日期",
    "公示期限",
    "状态",
    "来源",
]
STATUS_STATES = {"overdue": "已逾期未公示", "due_soon": "5个工作日内到期", "waiting": "待公示"}
STATUS_SOURCES = {"ledger": "台账", "workbook": "结果工作簿"}
STATUS_TITLE = "公示进度（截至 {as_of}）"
STATUS_PENDING_TITLE = "已完成检查、尚未公示（截至 {as_of}）"
STATUS_CHART_TITLE = "各任务公示进度（检查对象数）"
STATUS_OK = "✓ 截至 {as_of}：没有逾期未公示的检查结果；{due_soon} 个检查对象的公示期限在 5 个工作日内。"
STATUS_OVERDUE = (
    "✗ 截至 {as_of}：{overdue} 个检查对象已完成检查但逾期未公示，请尽快运行 jcdraw publish 公示。"
)
STATUS_NO_DRAWS = "台账中还没有抽取记录。"
STATUS_REPORT_WRITTEN = "进度报告已写入：{path}"
AUDIT_BROKEN = "✗ 台账校验失败（已核验 {checked} 条）：{reason}请立即停止向该台账写入，并用备份恢复。"
ANCHOR_TEXT = "台账编号 {ledger_id}；记录 {records} 条；台账校验值 {head}"
AUDIT_LAST_HASH = "当前台账锚点：{anchor}（可用 jcdraw audit --against 文件 与印出的页面核对）"
AUDIT_HEAD_FOUND = "✓ 校验值 {head} 是本台账第 {seq} 条记录的校验值。"
AUDIT_FILE_OK = "✓ {path}：印出的台账编号和校验值与本台账一致（{count} 处）。"
AUDIT_PROBLEM = "✗ {where}：{problem}"
AUDIT_BAD_HEAD = "--expect-head 的值“{value}”不是校验值：应为 64 位十六进制数字（0-9、a-f），可从印出的页面上抄录。"
AUDIT_NO_FILE = "找不到要核对的文件“{path}”。请检查文件名和所在文件夹。"
ANCHOR_HEAD_MISSING = "校验值 {head} 不在本台账中：台账在印出这个校验值之后被换成旧的备份（回退）或被改写"
ANCHOR_HEAD_MOVED = "校验值 {head} 印的是第 {records} 条记录，本台账中却是第 {seq} 条：台账被改写，或页面被改动"
ANCHOR_NONE_IN_FILE = "没有找到台账锚点（台账编号和校验值），无法用它核对；请确认这是 jcdraw 生成的文件"
ANCHOR_OTHER_LEDGER = "印的台账编号是 {found}，本台账是 {ledger_id}：这一页属于另一本台账（或用错了台账文件）"

# --- visits (module constants) -----------------------------------------------------------------
VISITS_ROUND_LABEL = "{task} 第{round}轮"
VISITS_WINDOW = "{start} 至 {end}"
VISITS_NO_DRAWS = "台账“{ledger}”中还没有有效的抽取记录，无法安排检查。请先用 jcdraw draw 抽取。"
VISITS_NO_DRAWS_YEAR = (
    "台账“{ledger}”中没有 {year} 年度的有效抽取记录。请核对 --year，或先用 jcdraw draw 抽取该年度的任务。"
)
VISITS_SPLIT_PERIODS = "该对象在 {tasks} 次抽取中被抽中，但各任务的检查时间不重叠，分为 {visits} 次检查"
VISITS_SPLIT_ROUNDS = "该对象在 {tasks} 次抽取中被抽中，同一任务的不同轮次须分别检查，分为 {visits} 次检查"
VISITS_PARTLY_DONE = "部分已完成：{tasks} 的检查结果已登记，本次只需检查其余任务"
VISITS_MISSING_DEPARTMENTS = "抽中的检查组中没有以下部门的人员：{departments}，请另行协调"
VISITS_TOTAL_ROW = "合计"
VISITS_STATS_TITLE = "{year} 年度：读取有效抽取 {draws} 次，抽中对象 {entity_draws} 户次，合并后检查 {visits} 次，减少进门 {saved} 次"
VISITS_DONE = "✓ {year} 年度检查安排：读取有效抽取 {draws} 次，抽中对象 {entity_draws} 户次，合并为 {visits} 次检查，减少进门 {saved} 次。已写入“{out}”（台账和各次抽取结果均未改动）。"
VISITS_ALREADY_RECORDED = "另有 {count} 户次的检查结果已登记，不再安排检查。"
VISITS_MERGED_TITLE = "合并检查（进一次门，查多事项）"
VISITS_MERGED_HEADERS = ["检查编号", "名称", "区域", "合并的任务", "检查事项数", "检查人员", "检查时间窗口"]
VISITS_MERGED_MORE = "……另有 {count} 次合并检查，详见“{out}”的“检查安排”工作表。"
VISITS_NONE_MERGED = "本年度没有被多个任务同时抽中的对象，每个对象各检查一次。"
VISITS_SEPARATED_TITLE = "以下对象不能合并为一次检查（已分别安排）："
VISITS_PROBLEM_LINE = "  · {visit_id} {name}：{detail}"
PLAN_HISTORY_TITLE = "各任务抽取时使用的计划版本"
PLAN_HISTORY_HEADERS = ["计划", "任务", "任务名称", "计划版本", "计划文件 SHA-256", "抽取记录"]
PLAN_HISTORY_STANDING = "有效"
PLAN_HISTORY_SUPERSEDED = "已被 {by} 取代"
PLAN_HISTORY_DRAW = "{draw_id}（{when}，{status}）"
PLAN_HISTORY_CHANGED = "⚠ 该任务的各次抽取使用了 {count} 个不同版本的计划文件"
PLAN_HISTORY_EMPTY = "台账中没有抽取记录。"
PLAN_HISTORY_UNKNOWN = "未记录"

# --- plan changes: fields compared, refusal at draw time, the written account (plans --changes) -------
# Field names of plans (jcdraw.plans.content), in the order changes are listed; others show their YAML name.
PLAN_FIELD_LABELS = {
    "task": "整个任务",
    "items": "检查事项",
    "category": "监管类别",
    "scope": "抽查范围",
    "ratio": "抽查比例",
    "credit_rule": "信用规则",
    "risk_policy": "信用风险类别",
    "period": "起止日期",
    "lead_departments": "发起部门",
    "partner_departments": "配合部门",
    "departments": "参加部门",
    "team": "检查组规则",
    "sampling": "抽查类型",
    "target": "定向抽查条件",
    "areas": "区域文件",
    "name": "名称",
    "scope_text": "抽查对象范围（原文）",
    "ratio_frequency_text": "抽查比例及频次（原文）",
    "credit_risk_requirement": "信用风险分类要求（原文）",
    "period_text": "抽查检查起止时间（原文）",
    "initiator": "发起（原文）",
    "mode": "抽查模式",
    "platform_task_id": "平台抽查任务编号",
    "platform_plan_id": "平台抽查计划编号",
    "document_number": "文号",
    "issuing_authority": "发文机关",
    "issued_on": "印发日期",
    "year": "年度",
    "kind": "计划类型",
    "publicity_deadline_workdays": "公示期限（工作日）",
    "approver": "更正审批人",
    "legal_basis": "检查依据",
    "documents": "需准备的材料",
    "contact": "联系人",
    "notice_prefix": "通知书文号代字",
    "inspection_cap": "每户每年检查次数上限",
}
CHANGES_WHERE_TASK = "任务 {task} "
CHANGES_WHERE_PLAN = "计划 "
CHANGES_FIELD_LINE = "{where}{field}：{old} → {new}"
CHANGES_ABSENT = "（无）"
CHANGES_YES = "是"
CHANGES_NO = "否"
CHANGES_PERIOD = "{start} 至 {end}"
CHANGES_TEAM = "每组至少 {size} 人；各部门至少：{departments}"
CHANGES_POLICY = "{classes}；未分类的按 {default} 类"
# Refusal at draw time (jcdraw.draw.plan_versions).
PLAN_CHANGED_UNVERSIONED = (
    "计划“{plan}”（{path}）的内容已经改动，但版本号仍是 {version}。台账中 {draws}按版本 {version} 抽取，"
    "与现在的计划文件相比，以下影响抽取的内容不同：\n{changes}\n"
    "计划调整须书面报告并使用新的版本号：请把 version 改为 {next_version}，并在 changes 中增加一条"
    "（version: {next_version}，date: 调整日期，text: 调整内容和原因）后再抽取；如果是误改，请恢复原内容。本次未抽取。"
)
PLAN_CHANGED_DRAWS_ONE = "{first} "
PLAN_CHANGED_DRAWS_MANY = "{first} 等 {count} 次抽取"
PLAN_CHANGED_LINE = "  · {line}"
PLAN_EARLIER_FILE_MISSING = (
    "提示：计划“{plan}”的文件在 {draws}之后有改动，版本号仍是 {version}。当时的文件（SHA-256 {sha}…）已找不到，"
    "已按抽取记录核对检查事项、监管类别、比例、信用规则、起止日期和部门，均未改变；抽查范围和检查组规则无法核对。"
    "如果调整了影响抽取的内容，请升级 version 并在 changes 中写明。"
)
# The written account (jcdraw.draw.plan_changes, jcdraw.draw.plan_changes_workbook).
CHANGES_SHEET = "计划调整"
CHANGES_TITLE = "{year} 年度抽查计划调整情况（按台账中各次抽取所用的计划版本）"
CHANGES_HEADERS = [
    "计划编号", "计划名称", "调整", "调整日期", "调整说明", "任务", "调整内容", "原内容", "调整后",
    "是否影响抽取", "调整后的抽取", "调整前的抽取",
]
CHANGES_STEP = "版本 {old} → 版本 {new}"
CHANGES_STEP_SAME = "版本 {version}（计划文件改动，版本号未变）"
CHANGES_DATE_MISSING = "未写明（按新版本首次抽取：{first}）"
CHANGES_TEXT_MISSING = "（计划文件的 changes 中没有版本 {version} 的说明）"
CHANGES_AFFECTS = "影响抽取"
CHANGES_INFO_ONLY = "不影响抽取"
CHANGES_UNVERSIONED_MARK = "⚠ 影响抽取的内容改变了，应升级版本号"
CHANGES_NO_FIELDS = "（计划文件有改动，但各字段均无变化，如只修改了注释）"
CHANGES_UNCHANGED = "本年度各次抽取使用同一版本，未调整"
CHANGES_BY_RECORDS = "（有一方的计划文件已找不到，只比较了抽取记录中登记的内容）"
CHANGES_ALL_TASKS = "整个计划"
CHANGES_TASKS = "任务 {tasks}"
CHANGES_VERSIONS_SHEET = "计划版本"
CHANGES_VERSIONS_TITLE = "{year} 年度各次抽取所用的计划版本"
CHANGES_VERSIONS_HEADERS = [
    "计划编号", "计划版本", "计划文件", "计划文件 SHA-256", "首次抽取", "抽取次数", "抽取编号", "文件是否找到",
]
CHANGES_FILE_FOUND = "已找到"
CHANGES_FILE_MISSING = "未找到（请放回 plans/archive）"
CHANGES_DEFAULT_OUT = "计划调整-{year}.xlsx"
CHANGES_OUT_NEEDS_CHANGES = "--out 只用于 --changes（写出计划调整情况）。查看计划时请去掉 --out。"
CHANGES_ALONE = "--changes 写出台账中全部计划的调整情况，不能与 --history 或 --plan 同用。请去掉它们；要看某一年度请用 --year。"
CHANGES_NO_DRAWS = "台账“{ledger}”中没有 {year} 年度的抽取记录，无法说明计划调整。请核对 --year 和 --ledger。"
CHANGES_NO_DRAWS_AT_ALL = "台账“{ledger}”中还没有抽取记录，无法说明计划调整。"
CHANGES_DONE = "✓ {year} 年度：{plans} 个计划，抽取中使用了 {versions} 个计划版本，调整 {steps} 次（影响抽取的内容 {content} 项，其他 {info} 项）。已写入“{out}”。"
CHANGES_WARN_UNVERSIONED = "注意：计划“{plan}”{step}改变了影响抽取的内容，但版本号没有升级。请在书面报告中说明。"
CHANGES_WARN_MISSING = "注意：计划“{plan}”版本 {version} 的计划文件（SHA-256 {sha}…）已找不到，相关调整只比较了抽取记录中登记的内容。请把当时的计划文件放回 plans/archive 文件夹后重新生成。"
VISITS_SIGNERS_NOTE = "本次检查中属于该任务抽取检查组的人员。在“检查结果”表中填写该任务各行的“检查人员执法证号”时，只填这些人员（至少两人）。"

# --- draw command refinements ------------------------------------------------------------------
DRAW_ROUND_EMPTY = "第 {round} 轮没有需要抽取的对象：按本任务的信用风险分类规则，各类对象每年最多抽取 {most} 轮。请检查 --round。"
PREPARE_NO_SEED = "--prepare 只登记并公布对象池校验值，此时还不应有随机种子：请去掉 --seed（以及 --redraw/--reason），公布校验值后再掷骰子抽取。"
OUTPUT_NOT_XLSX = "输出文件“{path}”的扩展名不是 .xlsx。请用 --out 指定以 .xlsx 结尾的文件名。"
VERIFY_DUPLICATE = "对象 {uscc} 在结果表中出现了不止一次"
OUTPUT_NOT_REGULAR = "输出路径“{path}”已存在但不是普通文件（可能是设备、管道或失效的快捷方式），为安全起见不会覆盖。请换一个输出文件名。"

# --- progress (terminal only) ------------------------------------------------------------------
PROGRESS_OPENING = "正在打开工作簿…"
PROGRESS_ENTITIES = "正在读取并检查“检查对象”…"
PROGRESS_INSPECTORS = "正在读取并检查“执法人员”和回避关系…"
PROGRESS_HASHING = "正在计算文件校验值…"
PROGRESS_TASKS = "正在按抽查计划统计各任务…"
DRAW_REGISTRY_WARNINGS = "名录库有 {count} 处警告（不影响本次抽取），可运行 jcdraw validate 查看并处理。"

# --- command line: help, usage errors, consoles -------------------------------------------------
# Help pages (jcdraw.cli.help_page): rendered by jcdraw from each parameter's data, never typer's English.
HELP_USAGE_PREFIX = "用法："
HELP_HEADING_ARGUMENTS = "参数："
HELP_HEADING_OPTIONS = "选项："
HELP_HEADING_COMMANDS = "命令："
HELP_OPTIONS_METAVAR = "[选项]"
HELP_SUBCOMMAND_METAVAR = "命令 [参数]..."
HELP_OPTION_HELP = "显示本帮助并退出。"
HELP_MARK_REQUIRED = "必填"
HELP_MARK_DEFAULT = "默认：{value}"
HELP_MARK_ENVVAR = "环境变量：{name}"
HELP_MARK_MIN = "不小于 {min}"
HELP_MARK_MAX = "不大于 {max}"
HELP_MARK_RANGE = "{min} 至 {max}"
HELP_MARK_SEPARATOR = "；"
HELP_MARKS = "[{marks}]"
HELP_DEFAULT_DYNAMIC = "运行时确定"
HELP_DEFAULT_ON = "开启"
HELP_DEPRECATED = "（已停用）"
HELP_TYPE_INT = "整数"
HELP_TYPE_FLOAT = "数字"
HELP_TYPE_TEXT = "文字"
HELP_TYPE_BOOL = "是/否"
HELP_TYPE_DATETIME = "日期时间"
HELP_TYPE_DATE = "日期"
HELP_TYPE_PATH = "路径"
HELP_TYPE_FILE = "文件"
HELP_TYPE_DIR = "文件夹"
HELP_TYPE_VALUE = "值"
HELP_LIST_SEPARATOR = "、"
# Usage errors (jcdraw.cli.usage_errors): built from click's exception classes and attributes.
USAGE_ERROR = "命令用法有误：{detail}\n运行“{command} {help}”查看用法。"
USAGE_WHO_OPTION = "选项 {name}"
USAGE_WHO_ARGUMENT = "参数 {name}"
USAGE_WHO_UNKNOWN = "参数"
USAGE_FROM_ENVVAR = "这个值来自环境变量 {env}，请检查该环境变量的设置。"
USAGE_NO_SUCH_OPTION = "没有选项 {option}，请检查拼写。"
USAGE_DID_YOU_MEAN = "您是否想用 {candidates}？"
USAGE_NO_SUCH_COMMAND = "没有命令“{name}”。"
USAGE_MISSING_COMMAND = "缺少命令。请在 {command} 后面写上要运行的命令。"
USAGE_MISSING_ARGUMENT = "缺少必填参数 {name}。"
USAGE_MISSING_OPTION = "缺少必填选项 {name}。"
USAGE_CHOICES = "可选值：{choices}。"
USAGE_OPTION_NEEDS_VALUE = "选项 {option} 后面需要填写一个值。"
USAGE_OPTION_NEEDS_VALUES = "选项 {option} 后面需要填写 {count} 个值。"
USAGE_OPTION_TAKES_NO_VALUE = "选项 {option} 不需要填写值。"
USAGE_OPTION_MISUSED = "选项 {option} 的用法有误。"
USAGE_ARGUMENT_MISUSED = "参数的个数不对。"
USAGE_EXTRA_ARGUMENTS = "多余的参数：{args}。含空格的值请用引号括起来。"
USAGE_INVALID_VALUE = "{who} 的值“{value}”无效：{reason}"
USAGE_INVALID = "{who} 的值无效：{reason}"
USAGE_PATH_REFUSED = "{who}：{problem}"
USAGE_GENERIC = "无法识别这条命令的写法。"
USAGE_REASON_INT = "应为整数。"
USAGE_REASON_FLOAT = "应为数字，如 0.5。"
USAGE_REASON_BOOL = "应为 1 或 0（也可写 true 或 false）。"
USAGE_REASON_DATETIME = "应为日期时间，如 2024-05-20 09:30:00。"
USAGE_REASON_MIN = "不能小于 {limit}。"
USAGE_REASON_ABOVE = "必须大于 {limit}。"
USAGE_REASON_MAX = "不能大于 {limit}。"
USAGE_REASON_BELOW = "必须小于 {limit}。"
USAGE_REASON_CHOICE = "不在可选范围内。可选值：{choices}。"
USAGE_REASON_EXPECTED = "应填写{label}。"
USAGE_REASON_PATH_MISSING = "找不到{kind}“{path}”。"
USAGE_REASON_PATH_IS_DIR = "“{path}”是文件夹，这里需要文件。"
USAGE_REASON_PATH_IS_FILE = "“{path}”是文件，这里需要文件夹。"
USAGE_REASON_PATH_UNREADABLE = "没有读取“{path}”的权限。"
USAGE_REASON_PATH_UNWRITABLE = "没有写入“{path}”的权限。"
# Consoles (jcdraw.cli.console): what a symbol becomes when the output's encoding cannot hold it.
FALLBACK_PASSED = "[通过]"
FALLBACK_FAILED = "[未通过]"
FALLBACK_NOTE = "[注意]"
PATH_HAS_CONTROL = "文件路径“{path}”含有控制字符或不可见字符，无法使用。请检查文件名后重新输入。"
# YAML files (jcdraw.plans.yaml_file): PyYAML's English problem → Chinese, always with the line.
YAML_AT_LINE = "第 {line} 行"
YAML_PROBLEMS = {
    "tab": "{where}有制表符（Tab 键）。YAML 文件只能用空格缩进，请把 Tab 换成空格",
    "bad-start": "{where}的“{char}”不能出现在值的开头；以 @、`、% 等符号开头的文字请用引号括起来",
    "missing-colon": "{where}缺少冒号“:”（应写成“名称: 值”，冒号后加一个空格），或这一行的缩进与上文不一致",
    "colon-not-allowed": "{where}的冒号用法有误：一行只能写一个“名称: 值”，值中含有冒号时请用引号括起来；也请检查这一行的缩进",
    "unclosed-quote": "{where}的引号没有配对：开头的引号缺少对应的结尾引号",
    "unclosed-bracket": "{where}的方括号“[”没有闭合，缺少“]”",
    "unclosed-brace": "{where}的花括号“{{”没有闭合，缺少“}}”",
    "bad-list": "{where}的方括号列表写法有误：各项之间用英文逗号分隔，最后以“]”结束",
    "bad-mapping": "{where}的花括号写法有误：各项之间用英文逗号分隔，最后以“}}”结束",
    "bad-indent": "{where}的缩进与上文不一致：同一层的项目应左端对齐，列表项以“- ”开头",
    "bad-escape": "{where}双引号内的反斜杠“\\”用法有误；含反斜杠的文字（如文件路径）请改用单引号括起来",
    "two-documents": "{where}出现了第二份内容（“---”分隔线）；一个文件只能有一份内容",
    "not-a-mapping": "{where}无法识别：文件内容应是“名称: 值”的形式，请检查这一行是否多了“...”或以 % 开头",
    "bad-key": "{where}的名称不能是列表或键值结构",
    "bad-anchor": "{where}的“&”或“*”用法有误；以 & 或 * 开头的文字请用引号括起来",
    "control-char": "{where}含有不可见的控制字符 {char}，请删除后重新保存",
    "generic": "{where}格式有误，请检查这一行及上一行的缩进、冒号、引号和括号",
}
YAML_NO_LINE = "文件中"
YAML_TAG = "{where}的标签“{tag}”"
YAML_ALIAS = "第 {line} 行不允许使用 YAML 别名“*{name}”"
YAML_DUPLICATE_KEY = "第 {line} 行 “{key}”重复出现"
YAML_TOO_BIG = "文件过大"
YAML_NOT_UTF8 = "不是 UTF-8 编码"
YAML_TOO_DEEP = "嵌套层数过多"
YAML_MISSING = "文件不存在"
YAML_NO_PERMISSION = "没有读取权限"
YAML_IS_FOLDER = "这是一个文件夹"
YAML_OS_ERROR = "系统错误（错误号 {errno}）"
PLAN_FIELD_INVALID = "的值不符合要求"
# --- paperwork: notices and records -----------------------------------------------------------
# Plans (jcdraw.plans.load): the optional paperwork fields.
PLAN_DOCUMENTS_ITEM = "中的检查事项序号 {number} 不存在（本任务共 {items} 个检查事项，序号从 1 起）"
PLAN_DOCUMENTS_EMPTY = "中有空白的材料名称，请删除或填写"
# Templates (jcdraw.results.docx_render, jcdraw.cli.paperwork).
DOCX_TEMPLATE_BUILTIN = "内置{title}模板"
DOCX_TEMPLATE_KIND_UNKNOWN = "认不出模板“{path}”是检查通知书还是检查记录表（文档中没有这两个标题）。请在标题中写明，或改用 --notice-template / --record-template 指明。"
DOCX_TEMPLATE_KIND_TWICE = "给了两个{title}模板：“{first}”和“{second}”。每种文书只能用一个模板，请去掉其中一个。"
DOCX_TEMPLATE_MISSING = "找不到模板文件“{path}”。可先用 jcdraw template notice 或 jcdraw template record 生成默认模板，再修改。"
DOCX_TEMPLATE_UNREADABLE = "模板文件“{path}”无法读取（没有权限，或正被其他程序占用）。请关闭 Word 后重试。"
DOCX_TEMPLATE_NOT_DOCX = "“{path}”不是 Word 文档（.docx），无法用作模板。请在 Word 中打开模板，另存为“Word 文档 (*.docx)”后重试。"
DOCX_TEMPLATE_LEGACY_DOC = "“{path}”是旧版 Word 文档（.doc）或已加密的文档，无法用作模板。请在 Word 中另存为“Word 文档 (*.docx)”，并取消密码后重试。"
DOCX_TEMPLATE_PLACE = "（出错处附近的文字：“{text}”）"
DOCX_TEMPLATE_NO_PLACE = ""
DOCX_TEMPLATE_SYNTAX = "模板“{path}”中的填写标记写法有误{where}。花括号标记须成对完整，如 {{{{ firm.name }}}}、{{% if … %}}…{{% endif %}}；请与默认模板对照改正。"
DOCX_TEMPLATE_CANNOT_FILL = "模板“{path}”中的填写标记无法填写{where}（例如对文字做了运算，或表格行标记 {{%tr %}} 放错了位置）。请与默认模板对照改正。"
DOCX_TEMPLATE_UNKNOWN_FIELD = "模板“{path}”中的填写标记 {tag} 用到了 jcdraw 不提供的字段“{field}”（可能是拼写有误）。此处可用的字段：{fields}。请改正后重试；可用 jcdraw template notice 或 jcdraw template record 生成默认模板对照。"
DOCX_TEMPLATE_NOT_DOCX_SUFFIX = "模板文件名“{path}”的扩展名不是 .docx。请指定以 .docx 结尾的文件名。"
DOCX_TEMPLATE_WRITTEN = "已生成{title}默认模板：{path}。可在 Word 中修改文字和格式；花括号 {{{{ }}}}、{{% %}} 是填写标记，请保留。修改后运行 jcdraw notices 时用 {option} 指定该文件。"
# The visits workbook given with --visits (jcdraw.results.schedule).
NOTICES_VISITS_NO_SHEET = "“{path}”中没有“检查安排”工作表（现有：{sheets}）。--visits 应指定 jcdraw visits 生成的检查安排表。"
NOTICES_VISITS_NO_COLUMN = "“{path}”的“{sheet}”工作表缺少“检查编号”列。请使用 jcdraw visits 生成的检查安排表，不要删除或改写表头。"
NOTICES_VISITS_WHERE = "第 {row} 行（检查编号 {id}）："
NOTICES_VISITS_NO_ID = "没有填写检查编号"
NOTICES_VISITS_TWICE = "与第 {first} 行重复"
NOTICES_VISITS_UNKNOWN = "台账中 {year} 年度没有这次检查（编号可能被改动，或台账中的抽取已变化、该检查的结果已全部登记）"
NOTICES_VISITS_STALE = "“抽取编号”与台账不一致：生成检查安排表之后台账中的抽取有变化，请用 jcdraw visits 重新生成"
NOTICES_VISITS_BADGE = "“检查人员”中的执法证号 {badges} 不是本年度各次抽取中的执法人员，请核对"
NOTICES_VISITS_TEAM_SMALL = "“检查人员”少于 {minimum} 人（行政检查须由两名以上执法人员实施）"
NOTICES_VISITS_WINDOW_BAD = "“检查时间窗口”“{value}”无法识别，应写成 2024-03-01 至 2024-12-31，或只写一个日期"
NOTICES_VISITS_WINDOW_OUTSIDE = "“检查时间窗口”超出了本次检查各任务的检查时间（{start} 至 {end}）"
NOTICES_VISITS_PROBLEMS = "检查安排表“{path}”有 {count} 处与台账不符，没有生成任何文书："
NOTICES_VISITS_MORE = "  ……另有 {count} 处，请改正以上各处后再运行。"
NOTICES_VISITS_EMPTY = "检查安排表“{path}”中没有检查，没有生成任何文书。"
# Output (jcdraw.results.paperwork).
NOTICES_OUT_NOT_FOLDER = "“{path}”已存在且不是文件夹。--out 应指定保存文书的文件夹。"
NOTICES_OUT_PARENT_MISSING = "无法创建文件夹“{path}”：上级文件夹“{parent}”不存在。请先创建，或用 --out 指定其他位置。"
NOTICES_OUTPUT_IS_INPUT = "输出文件“{path}”与本次读取的文件相同，不能覆盖输入文件。请用 --out 指定另一个文件夹。"
NOTICES_OUTPUTS_EXIST = "文件夹“{folder}”中已有 {count} 个同名文书（如“{first}”），为避免覆盖，本次没有写入任何文件。如确需重新生成并覆盖，请加 --force，或用 --out 换一个文件夹。"
NOTICES_PROGRESS = "正在生成文书 {done}/{total}"
NOTICES_PROGRESS_COMBINING = "正在合并打印用的{title}"
# The command (jcdraw.cli.paperwork).
NOTICES_DONE = "✓ {year} 年度 {visits} 次检查的检查通知书和检查记录表已生成：每次检查各一份（{single} 个文件），另有打印用的合并文件“{notice}”“{record}”，均在文件夹“{folder}”中。"
NOTICES_NOTHING = "{year} 年度各次检查的结果都已登记，没有需要制作文书的检查。"
NOTICES_ANCHOR = "文书页脚印有台账编号 {ledger_id} 和校验值 {head}（截至本次生成），可用 jcdraw audit --against 文书文件 核对。"
NOTICES_REGISTRY_MISSING = "注意：找不到名录库“{path}”，文书中被检查单位的住所、法定代表人、联系电话留空，请手工填写（或用 --registry 指定名录库）。"
NOTICES_REGISTRY_UNREADABLE = "注意：名录库“{path}”无法读取（{detail}），文书中被检查单位的住所、法定代表人、联系电话留空，请手工填写。"
NOTICES_REGISTRY_NO_SHEET = "注意：名录库“{path}”中没有可读的“检查对象”工作表，文书中被检查单位的住所、法定代表人、联系电话留空，请手工填写。"
NOTICES_REGISTRY_COLUMNS = "注意：名录库“{path}”的“检查对象”工作表没有“{columns}”列，文书中相应内容留空，请手工填写（可在名录库中增加这些列）。"
NOTICES_NO_PREFIX = "注意：计划中没有写通知书文号的机关代字（notice_prefix），文号印为“〔{year}〕N号”。"
NOTICES_NO_CONTACT = "注意：计划中没有写联系人（contact），通知书中的联系人和电话留空，请手工填写。"
NOTICES_OVER_CAP = "注意：{count} 次检查的对象本年度安排的检查次数超过计划公布的上限（如 {visit_id}），请核对是否需要调整。"

# --- bad inputs, round two ------------------------------------------------------------------------
# Workbooks measured before the Excel reader parses them (jcdraw.io.xlsx_parts … xlsx_guard): a file
# that would exhaust memory or crash the reader is refused with the bound it breaks (exit 2).
GUARD_CELL_BEYOND_EXCEL = "文件“{path}”的工作表“{sheet}”在 {cell} 处有内容，超出了 Excel 的范围（最多 1,048,576 行、16,384 列），不是 Excel 能保存的表格，已拒绝读取。请用 Excel 打开后另存为 .xlsx 再试。"
GUARD_GRID_TOO_LARGE = "文件“{path}”的工作表“{sheet}”的内容分布在 {rows:,} 行 × {cols:,} 列的范围内（最远的单元格在 {cell}），读取需要约 {cells:,} 个单元格的内存，超过上限 {bound:,} 个（约 {gb:.1f} GB），已拒绝读取。通常是远处有个多余的单元格：请在 Excel 里按 Ctrl+End 找到最后一个单元格，删除多余的行和列后保存再试。"
GUARD_TOO_MANY_RECORDS = "文件“{path}”的工作表“{sheet}”含有超过 {bound:,} 个单元格记录，超过程序一次能安全读取的上限，已拒绝读取。请把数据拆到多个文件后再试。"
GUARD_PART_TOO_LARGE = "文件“{path}”中的部件 {part} 解压后超过 {bound}（按实际解压出的字节计算，不看文件自己声明的大小），可能是恶意构造的“压缩炸弹”或已损坏，已拒绝读取。请向发件人索取正常的工作簿。"
GUARD_SHARED_TEXT_TOO_LARGE = "文件“{path}”的工作表“{sheet}”中引用共享字符串的单元格展开后共有约 {size} 文字，超过上限 {bound}（每个单元格都会得到一份所引用文字的副本），已拒绝读取。通常是同一段很长的文字被复制到了大量单元格：请删除多余内容后保存再试。"
GUARD_TOO_MANY_STRINGS = "文件“{path}”的共享字符串表有 {count:,} 个字符串，超过上限 {bound:,} 个，已拒绝读取。请用 Excel 打开后另存为 .xlsx 再试。"
GUARD_DUPLICATE_MEMBER = "文件“{path}”的压缩包里有同名部件“{name}”（不区分大小写），无法确定读取哪一个，已拒绝读取。请用 Excel 打开后另存为 .xlsx 再试。"
GUARD_MISSING_PART = "文件“{path}”缺少部件 {part}，不是完整的 Excel 工作簿。请用 Excel 打开后另存为 .xlsx 再试。"
GUARD_MALFORMED = "文件“{path}”的部件 {part} 结构异常（{detail}），已拒绝读取。请用 Excel 打开后另存为 .xlsx 再试。"
GUARD_UNSUPPORTED_MEMBER = "文件“{path}”中的部件 {part} 使用了无法检查的压缩方式或已加密，已拒绝读取。请用 Excel 打开后另存为 .xlsx 再试。"
GUARD_SHEET_PART_MISSING = "文件“{path}”中找不到工作表“{sheet}”的内容部件，工作簿已损坏。请用 Excel 打开后另存为 .xlsx 再试。"
GUARD_NATIVE_CRASH = "读取文件“{path}”{where}时，Excel 读取组件（python-calamine）内部出错（{detail}）。文件可能已损坏，请用 Excel 打开后另存为 .xlsx 再试。"
GUARD_FAR_CELL = "极远处"  # a cell reference too absurd to print (beyond a billion rows)
GUARD_NATIVE_CRASH_SHEET = "的工作表“{sheet}”"
GUARD_MALFORMED_ATTRIBUTES = "属性写法有误"
GUARD_MALFORMED_NESTED = "单元格里嵌套了单元格或行"
GUARD_MALFORMED_LONG_TOKEN = "单个标记过长"
GUARD_MALFORMED_ZIP = "压缩数据损坏：{detail}"
GUARD_MALFORMED_STATE = "工作表可见性“{state}”无法识别"
# Sheets: which one is read, and never silently.
SHEET_NAME_CLASH = "文件“{path}”中的工作表“{first}”和“{second}”去掉空格、全角半角等差异后名称相同，无法确定该读哪一个，已拒绝读取。请删除或改名其中一个后再试。"
SHEET_STATE_TEXT = {"hidden": "隐藏的", "veryHidden": "深度隐藏的（只能在 VBA 中取消隐藏）"}
VERIFY_HIDDEN_SHEET = "提示：文件“{path}”的工作表“{sheet}”是{state}工作表，仍按其中的内容核对。"
# publish refused: the message names the workbook, as every refusal does.
PUBLISH_REFUSED = "✗ 检查结果表“{path}”有 {count} 处问题，本次未登记、未公示任何结果。请按上表逐条修正后重新运行 jcdraw publish。"
# Column kinds named when two columns of the results sheet look swapped.
COLUMN_KIND_TEXT = {
    "result": "检查结果（如“未发现问题”）",
    "date": "日期",
    "badges": "执法证号",
    "text": "说明文字",
    "empty": "空白",
}
PROBLEMS.update(
    {
        "sheet-hidden": (
            "warning",
            "工作表“{sheet_name}”是{state}工作表，仍按其中的内容读取。请确认这是要用的表（在 Excel 中右击工作表标签→“取消隐藏”可查看）。",
        ),
        "checks-skipped": (
            "info",
            "因缺少上面列出的工作表或必填列，依赖它们的其他检查（逐行检查、回避关系、各任务能否组成检查组）已跳过。请先补齐后重新校验。",
        ),
        "badge-number": (
            "warning",
            "执法证号被 Excel 存成了数字（本列共 {count} 个，如第 {rows} 行），已按显示的数字“{value}”读取。数字格式会丢掉开头的 0、把较长的号码改成科学计数法：请把该列设置为“文本”格式后重新输入执法证号。",
        ),
        "result-columns-swapped": (
            "error",
            "“{first}”列和“{second}”列的内容看起来填反了：“{first}”列里多是{first_kind}，“{second}”列里多是{second_kind}。请把两列内容对调后重试；下面逐行列出的问题多半由此引起。",
        ),
    }
)

# --- follow-up of findings (jcdraw followup; issue 13 item 5) -------------------------------------
FOLLOWUP_ACTION_EMPTY = "--action 不能为空：请写明采取的处置措施，如“责令限期改正，已复查”。"
FOLLOWUP_NOT_DRAWN = "抽取编号 {draw_id} 没有抽中统一社会信用代码为 {uscc} 的对象。请核对 --draw 和 --uscc。"
FOLLOWUP_NO_RESULT = "抽取编号 {draw_id} 中 {uscc} 的第 {item} 项检查事项还没有登记检查结果，无法登记后续处置。请先用 jcdraw publish 登记结果。"
FOLLOWUP_NOT_NEEDED = "✗ 抽取编号 {draw_id} 中 {uscc} 的第 {item} 项检查结果是“{result}”，不需要后续处置（需要后续处置的结果类别：{choices}）。结果有误的，请先用 jcdraw correct 更正。"
FOLLOWUP_ALREADY_DONE = "✗ 抽取编号 {draw_id} 中 {uscc} 的第 {item} 项的后续处置已于 {done} 办结，不再登记新的处置。"
FOLLOWUP_BEFORE_INSPECTION = "✗ 处置日期 {date} 早于检查日期 {inspected}：后续处置在检查发现问题之后。请核对 --date。"
FOLLOWUP_FUTURE = "✗ {option} 的日期 {value} 晚于今天（{as_of}）。请核对日期。"
FOLLOWUP_DONE_BEFORE = "✗ 办结日期 {done} 早于处置日期 {date}。请核对 --done 和 --date。"
FOLLOWUP_RECORDED = "✓ 已登记后续处置：抽取编号 {draw_id}，{uscc}，第 {item} 项（检查结果：{result}）：{date} {action}。"
FOLLOWUP_OPEN_NOTE = "尚未办结，自检查之日起已 {age} 天；办结后再次运行 jcdraw followup 并加 --done 办结日期。"
FOLLOWUP_DONE_NOTE = "已于 {done} 办结，自检查之日起 {age} 天。"
# 处置结果 as the publicity shows it (the national system's column name).
PUBLICITY_FOLLOWUP_DONE = "{action}（{done} 办结）"
PUBLICITY_FOLLOWUP_OPEN = "{action}（处置中）"
STATUS_FOLLOWUPS_TITLE = "待后续处置的检查结果（截至 {as_of}，共 {count} 项）"
STATUS_FOLLOWUPS_HEADERS = ["计划", "任务", "抽取编号", "统一社会信用代码", "企业名称", "事项", "检查结果", "检查日期", "最近处置", "已过天数"]
STATUS_FOLLOWUPS_NONE = "尚未登记处置"

# --- the year report (jcdraw report; issue 13 item 4) ----------------------------------------------
REPORT_DEFAULT_OUT = "年度报告-{year}.xlsx"
REPORT_TITLE = "{year} 年度双随机抽查报告：{part}（截至 {as_of}）"
REPORT_TASK_LABEL = "{plan} 任务{task}"
REPORT_SUMMARY_SHEET = "年度概况"
REPORT_SUMMARY_HEADERS = ["项目", "数值"]
REPORT_TOTALS = {
    "tasks": "计划任务数",
    "undrawn": "其中未抽取的任务",
    "drawn": "抽中检查对象（户次）",
    "inspected": "已检查（户次）",
    "published": "已公示（户次）",
    "found": "发现问题（户次）",
    "rate": "问题发现率",
    "corrections": "结果更正（次）",
    "followups_open": "后续处置未办结（项）",
    "followups_done": "后续处置已办结（项）",
    "uninspected": "抽中未检查（户次）",
}
REPORT_TASKS_SHEET = "任务完成情况"
REPORT_TASKS_HEADERS = ["任务", "计划编号", "任务编号", "任务名称", "抽取对象数", "已检查", "已公示", "按期公示", "逾期公示", "期满未检查", "公示率", "完成率", "情况"]
REPORT_TASKS_CHART = "各任务抽取、检查、公示（户次）"
REPORT_RISK_SHEET = "发现率-风险类别"
REPORT_RISK_HEADERS = ["信用风险分类", "抽取对象数", "已检查（n）", "发现问题", "问题发现率"]
REPORT_RISK_CHART = "按信用风险分类的问题发现率"
REPORT_BY_TASK_SHEET = "发现率-任务"
REPORT_BY_TASK_HEADERS = ["任务", "计划编号", "任务编号", "任务名称", "已检查（n）", "发现问题", "问题发现率"]
REPORT_BY_TASK_CHART = "各任务的问题发现率"
REPORT_BY_ITEM_SHEET = "发现率-检查事项"
REPORT_BY_ITEM_HEADERS = ["计划编号", "任务编号", "事项序号", "检查事项", "已检查（n）", "发现问题", "问题发现率"]
REPORT_CATEGORY_SHEET = "检查结果类别"
REPORT_CATEGORY_HEADERS = ["检查结果类别", "检查事项数", "检查对象数", "占已检查事项"]
REPORT_CATEGORY_CHART = "各检查结果类别的检查事项数"
REPORT_DEPARTMENT_SHEET = "部门"
REPORT_DEPARTMENT_HEADERS = ["部门", "执法人员数", "分派检查（户次）", "已检查（户次）", "每人最少分派", "每人最多分派"]
REPORT_DEPARTMENT_CHART = "各部门分派和完成的检查（户次）"
REPORT_INSPECTOR_SHEET = "执法人员"
REPORT_INSPECTOR_HEADERS = ["执法证号", "姓名", "部门", "分派检查（户次）", "已检查（户次）"]
REPORT_CORRECTION_SHEET = "结果更正"
REPORT_CORRECTION_HEADERS = ["抽取编号", "统一社会信用代码", "企业名称", "事项序号", "更正内容", "原值", "更正后", "批准人", "审批文号", "更正原因", "更正日期"]
REPORT_FOLLOWUP_SHEET = "后续处置"
REPORT_FOLLOWUP_HEADERS = ["计划编号", "任务编号", "抽取编号", "统一社会信用代码", "企业名称", "事项序号", "检查事项", "检查结果", "检查日期", "最近处置", "处置日期", "办结日期", "批准人", "已过天数", "状态"]
REPORT_FOLLOWUP_STATES = {True: "未办结", False: "已办结"}
REPORT_UNINSPECTED_SHEET = "抽中未检查"
REPORT_UNINSPECTED_HEADERS = ["计划编号", "任务编号", "抽取编号", "统一社会信用代码", "企业名称", "信用风险分类", "任务截止日期", "情况"]
REPORT_UNINSPECTED_STATES = {True: "任务期满未检查", False: "检查期内，尚未检查"}
YEAR_REPORT_WRITTEN = "年度报告已写入：{path}"
REPORT_SUMMARY = "{year} 年度：{tasks} 个计划任务（{undrawn} 个未抽取），抽中 {drawn} 户次，已检查 {inspected} 户次，已公示 {published} 户次；发现问题 {found} 户次，问题发现率 {rate}；后续处置未办结 {followups_open} 项；抽中未检查 {uninspected} 户次。"
REPORT_SCREEN_TASKS = "各任务完成情况"
REPORT_SCREEN_RISK = "按信用风险分类的问题发现率（n 为已检查户次，样本小时比率仅供参考）"
REPORT_NO_YEAR = "台账中没有 {year} 年度的抽取，计划文件中也没有 {year} 年度的计划。请核对 --year。"
