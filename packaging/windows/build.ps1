# Builds the one-folder Windows bundle of clerk-console: dist\clerk-console\ (bundled Python,
# the data, the launcher). PyInstaller cannot cross-build, so this runs on a Windows 10/11 PC:
#
#   winget install --id Python.Python.3.12      (or python.org; any 3.11+ x64)
#   git clone <repo> clerk-console; cd clerk-console
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1 [-Font C:\path\font.ttf]
#
# -Font optionally ships a TrueType font in the bundle (clerk_console\fonts); without it the
# notices embed the PC's own SimSun (simsun.ttc + simsunb.ttf for Ext-B), present on every
# Chinese Windows.
param([string]$Font = "")
$ErrorActionPreference = "Stop"
$root = Resolve-Path "$PSScriptRoot\..\.."
Set-Location $root
py -3 -m venv build\venv
& build\venv\Scripts\python.exe -m pip install --upgrade pip
& build\venv\Scripts\python.exe -m pip install . "pyinstaller>=6.10"
$env:CLERK_BUNDLE_FONT = $Font
& build\venv\Scripts\pyinstaller.exe --noconfirm --distpath dist --workpath build\pyinstaller `
    packaging\windows\clerk-console.spec
Copy-Item packaging\windows\clerk-console.cmd dist\clerk-console\
# smoke test of the bundle, as in CI for the wheel
$env:CLERK_CONSOLE_HOME = "$root\build\smoke-window"
$env:CLERK_CONSOLE_DEMO_HOME = "$root\build\smoke-window"  # the demo has its own folder
& dist\clerk-console\clerk-console.exe --version
& dist\clerk-console\clerk-console.exe demo --init-only
& dist\clerk-console\clerk-console.exe identify 91370613MA3CKF011N
Compress-Archive -Force dist\clerk-console dist\clerk-console-windows-x64.zip
Write-Host "built dist\clerk-console (zip: dist\clerk-console-windows-x64.zip)"
