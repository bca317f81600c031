"""The `gongkai` command: a thin adapter over the core."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .checks import run_checks
from .config import build_date, load_config
from .dates import parse_date
from .linkcheck import check_external, check_site
from .model import KINDS
from .scaffold import scaffold


def _date_option(ctx, param, value):
    if value is None:
        return None
    day = parse_date(value)
    if day is None:
        raise click.BadParameter(f"无法识别的日期“{value}”，请写成 YYYY-MM-DD。")
    return day


def _load(ctx):
    config_file = Path(ctx.obj["config_file"])
    if not config_file.is_file():
        click.echo(f"找不到配置文件 {config_file}，请在网站仓库的根目录运行。", err=True)
        sys.exit(2)
    return load_config(config_file.resolve().parent, config_file.name)


@click.group(help="gongkai（公开）：政务公开网站的检查、构建辅助与发布工具。")
@click.option("--config-file", "-f", default="mkdocs.yml", show_default=True, help="站点配置文件。")
@click.pass_context
def main(ctx, config_file):
    ctx.obj = {"config_file": config_file}


@main.command(help="只运行检查，不生成网站。有错误时退出码为 1。")
@click.option("--as-of", callback=_date_option, help="按此日期检查（默认：SOURCE_DATE_EPOCH 或今天）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 数组输出检查结果。")
@click.pass_context
def check(ctx, as_of, as_json):
    config = _load(ctx)
    _, findings = run_checks(config, as_of or build_date())
    _emit(findings, as_json)


@main.command(help="新建一个条目：生成下一个可用的索引号、条目文件和正文文件。")
@click.argument("kind", type=click.Choice(sorted(KINDS)))
@click.option("--title", help="标题。")
@click.option("--org", help="索引号前段码（机构代码），默认取目录中最常用的。")
@click.pass_context
def new(ctx, kind, title, org):
    config = _load(ctx)
    entry, body = scaffold(config, kind, build_date(), title=title, org=org)
    click.echo(f"已创建条目 {entry.relative_to(config.root)} 和正文 {body.relative_to(config.root)}，请填写其中标注的内容。")


@main.command(help="检查已生成网站中的链接和锚点；加 --external 同时检查外部链接。有错误时退出码为 1。")
@click.option("--site", "site_dir", default="site", show_default=True, type=click.Path(file_okay=False),
              help="已生成的网站目录。")
@click.option("--external", is_flag=True, help="同时检查外部链接（需要联网）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 数组输出检查结果。")
def linkcheck(site_dir, external, as_json):
    site = Path(site_dir)
    if not (site / "index.html").is_file():
        click.echo(f"{site}/ 不是已生成的网站（没有 index.html），请先运行 mkdocs build。", err=True)
        sys.exit(2)
    findings = check_site(site)
    if external:
        check_external(site, findings)
    _emit(findings, as_json)


def _emit(findings, as_json: bool) -> None:
    if as_json:
        click.echo(findings.to_json())
    else:
        for finding in findings.sorted():
            click.echo(finding.format())
        click.echo(f"检查完成：{findings.summary()}。", err=True)
    sys.exit(1 if findings.errors else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
