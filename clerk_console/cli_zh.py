"""argparse in Chinese: ``--help``, usage and every parse error of the command-line tools.

argparse builds its own words through a module-level ``gettext`` (``argparse._``); the CLI
processes point it at this table. Unknown messages (a newer Python's) fall back to English.
"""
from __future__ import annotations

import argparse
import gettext
import sys

MESSAGES = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的%(type)s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "参数不接受值 %r",
    "one of the arguments %s is required": "参数 %s 必须给出其中之一",
    "unexpected option string: %s": "意外的选项 %s",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
}
TYPE_NAMES = {"int": "整数", "float": "数字", "Path": "路径"}


def translate(message: str) -> str:
    return MESSAGES.get(message, gettext.gettext(message))


def ntranslate(singular: str, plural: str, n: int) -> str:
    return MESSAGES.get(singular if n == 1 else plural, gettext.ngettext(singular, plural, n))


class ChineseParser(argparse.ArgumentParser):
    """An ArgumentParser whose own words are Chinese; errors exit 2 as argparse's do."""

    def __init__(self, *args, **kwargs) -> None:
        argparse._ = translate  # argparse looks these up at call time
        argparse.ngettext = ntranslate
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="显示本帮助并退出")

    def _get_value(self, action, arg_string):
        try:
            return super()._get_value(action, arg_string)
        except argparse.ArgumentError as exc:
            name = getattr(action.type, "__name__", "")
            if name in TYPE_NAMES:
                raise argparse.ArgumentError(
                    action, f"{arg_string!r} 不是有效的{TYPE_NAMES[name]}") from None
            raise exc

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{message}\n（用 {self.prog.split()[0]} --help 查看用法）\n")


def subparsers(parser: argparse.ArgumentParser, **kwargs):
    """``add_subparsers`` whose sub-commands are ChineseParsers too."""
    kwargs.setdefault("title", "子命令")
    kwargs.setdefault("parser_class", ChineseParser)
    return parser.add_subparsers(**kwargs)
