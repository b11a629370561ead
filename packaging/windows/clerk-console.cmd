@echo off
rem Opens the console in Windows Terminal at 120x40, else in a console window of that size
rem (conhost; Textual switches on VT processing itself). Arguments pass through (default: run).
chcp 65001 >nul
set "ARGS=%*"
if "%ARGS%"=="" set "ARGS=run"
where wt.exe >nul 2>nul
if %ERRORLEVEL%==0 (
  start "" wt.exe --size 120,40 --title "clerk-console" "%~dp0clerk-console.exe" %ARGS%
  exit /b 0
)
mode con: cols=120 lines=40
"%~dp0clerk-console.exe" %ARGS%
