#!/bin/sh
# jcdraw 公示进度每日检查（Linux / macOS，配合 cron 使用，见 crontab.txt）。
#
# 在工作目录（含 jcdraw.sqlite3 台账）中运行 jcdraw status：
#   - results/ 文件夹中填写中的检查结果工作簿只读取、不登记，用于找出“已完成检查、尚未公示”的对象；
#   - 输出写入 logs/jcdraw-status-YYYY-MM-DD.log，进度表（含进度图）写入 logs/status-YYYY-MM-DD.xlsx；
#   - 有逾期未公示的结果时退出码为 1（cron 会把非 0 结果发邮件给 MAILTO 指定的人）。
#
# 用法：jcdraw-status.sh [工作目录]      （默认为本脚本所在的文件夹）

WORKDIR="${1:-$(cd "$(dirname "$0")" && pwd)}"
JCDRAW="${JCDRAW:-jcdraw}"          # 不在 PATH 中时设置，例如 JCDRAW=/opt/jcdraw/.venv/bin/jcdraw

cd "$WORKDIR" || exit 2
mkdir -p logs
TODAY="$(date +%F)"
LOG="logs/jcdraw-status-$TODAY.log"

set --
for book in results/*.xlsx; do
    [ -f "$book" ] && set -- "$@" --results "$book"
done

{
    echo "=== $(date '+%F %T') jcdraw status ==="
    "$JCDRAW" status "$@" --report "logs/status-$TODAY.xlsx" --force
} >>"$LOG" 2>&1
code=$?

case $code in
    0) echo "$(date '+%F %T') 完成：没有逾期未公示的检查结果。" >>"$LOG" ;;
    1) echo "$(date '+%F %T') 注意：有逾期未公示的检查结果，请尽快运行 jcdraw publish。" >>"$LOG" ;;
    *) echo "$(date '+%F %T') 出错（退出码 $code），请查看上面的提示。" >>"$LOG" ;;
esac
exit $code
