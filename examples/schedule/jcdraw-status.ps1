# jcdraw 公示进度每日检查（Windows 任务计划程序）。
#
# 在工作目录（含 jcdraw.sqlite3 台账）中运行 jcdraw status：
#   - results 文件夹中填写中的检查结果工作簿只读取、不登记，用于找出“已完成检查、尚未公示”的对象；
#   - 输出写入 logs\jcdraw-status-YYYY-MM-DD.log，进度表（含进度图）写入 logs\status-YYYY-MM-DD.xlsx；
#   - 有逾期未公示的结果时退出码为 1，任务计划程序的“上次运行结果”会显示 0x1。
#
# 注册为每个工作日 8:30 运行的计划任务（在“命令提示符”中运行一次，路径按实际修改）：
#   schtasks /Create /TN "jcdraw 公示进度检查" /SC WEEKLY /D MON,TUE,WED,THU,FRI /ST 08:30 /TR "powershell.exe -NoProfile -ExecutionPolicy Bypass -File D:\jcdraw\jcdraw-status.ps1 -WorkDir D:\jcdraw"
# 立即试运行：schtasks /Run /TN "jcdraw 公示进度检查"
# 删除：      schtasks /Delete /TN "jcdraw 公示进度检查" /F
#
# 本文件以带 BOM 的 UTF-8 保存，Windows PowerShell 5.1 才能正确读出中文。

param(
    [string]$WorkDir = $PSScriptRoot,
    [string]$Jcdraw = "jcdraw"   # 不在 PATH 中时改为完整路径，例如 D:\jcdraw\.venv\Scripts\jcdraw.exe
)

[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
$env:PYTHONIOENCODING = "utf-8"
Set-Location -LiteralPath $WorkDir
New-Item -ItemType Directory -Force -Path "logs" | Out-Null
$today = Get-Date -Format "yyyy-MM-dd"
$log = Join-Path "logs" "jcdraw-status-$today.log"

$arguments = @("status")
foreach ($book in Get-ChildItem -Path "results" -Filter "*.xlsx" -File -ErrorAction SilentlyContinue) {
    $arguments += @("--results", $book.FullName)
}
$arguments += @("--report", (Join-Path "logs" "status-$today.xlsx"), "--force")

"=== $(Get-Date -Format 'yyyy-MM-dd HH:mm:ss') jcdraw status ===" | Out-File -FilePath $log -Append -Encoding utf8
& $Jcdraw @arguments *>&1 | Out-File -FilePath $log -Append -Encoding utf8
$code = $LASTEXITCODE

switch ($code) {
    0 { $note = "完成：没有逾期未公示的检查结果。" }
    1 { $note = "注意：有逾期未公示的检查结果，请尽快运行 jcdraw publish。" }
    default { $note = "出错（退出码 $code），请查看上面的提示。" }
}
"$(Get-Date -Format 'yyyy-MM-dd HH:mm:ss') $note" | Out-File -FilePath $log -Append -Encoding utf8
exit $code
