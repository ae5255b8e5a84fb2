#!/usr/bin/env python3
"""Writes particlectl's man page (man(7) format, section 1) from the command tree the executable dumps.

Usage: scripts/manpage.py PARTICLECTL > particlectl.1
Runs `PARTICLECTL --experimental-dump-help` (swift-argument-parser's tool description, which `particlectl` hands over
to `particlectl-sim` for the whole tree) and renders every command, its arguments and options, the way
swift-argument-parser's GenerateManual plugin does, without building the plugin's tool.
"""
import json
import subprocess
import sys

TIMEOUT_SECONDS = 30


def escape(text):
    lines = text.replace("\\", "\\e").split("\n")
    return "\n".join(("\\&" + line) if line.startswith((".", "'")) else line for line in lines)


def synopsis_name(argument):
    names = argument.get("names") or []
    preferred = argument.get("preferredName") or (names[0] if names else None)
    if argument["kind"] == "positional" or preferred is None:
        return f"<{argument.get('valueName', 'value')}>"
    dashes = {"long": "--", "short": "-", "longWithSingleDash": "-"}[preferred["kind"]]
    return dashes + preferred["name"]


def all_names(argument):
    dashes = {"long": "--", "short": "-", "longWithSingleDash": "-"}
    return ", ".join(dashes[name["kind"]] + name["name"] for name in argument.get("names") or [])


def render_arguments(arguments, out):
    shown = [argument for argument in arguments or [] if argument.get("shouldDisplay", True)]
    if not shown:
        return
    out.append(".RS")
    for argument in shown:
        label = all_names(argument) or f"<{argument.get('valueName', 'value')}>"
        if argument["kind"] == "option":
            label += f" <{argument.get('valueName', 'value')}>"
        out.append(".TP")
        out.append(f".B {escape(label)}")
        text = argument.get("abstract", "")
        if argument.get("allValues"):
            text += f" (values: {', '.join(argument['allValues'])})"
        if argument.get("defaultValue") not in (None, ""):
            text += f" (default: {argument['defaultValue']})"
        out.append(escape(text.strip()) or "\\&")
        if argument.get("discussion"):
            out.append(".IP")
            out.append(escape(argument["discussion"]))
    out.append(".RE")


def render_command(command, path, out, top):
    name = " ".join(path)
    if not top:
        out.append(f".SS {escape(name)}")
    usage = [synopsis_name(argument) for argument in command.get("arguments") or []
             if argument.get("shouldDisplay", True) and argument.get("isOptional") is False]
    if command.get("subcommands"):
        usage.append("<subcommand>")
    out.append(".PP")
    out.append(f"\\fB{escape(name)}\\fR {escape(' '.join(usage))}".rstrip())
    if not top and command.get("abstract"):
        out.append(".PP")
        out.append(escape(command["abstract"]))
    if not top and command.get("discussion"):
        out.append(".PP")
        out.append(escape(command["discussion"]))
    render_arguments(command.get("arguments"), out)
    for subcommand in command.get("subcommands") or []:
        if subcommand["commandName"] == "help":
            continue
        render_command(subcommand, path + [subcommand["commandName"]], out, top=False)


def main():
    tool = sys.argv[1]
    dump = subprocess.run([tool, "--experimental-dump-help"], check=True, capture_output=True, text=True,
                          timeout=TIMEOUT_SECONDS).stdout
    version = subprocess.run([tool, "--version"], check=True, capture_output=True, text=True,
                             timeout=TIMEOUT_SECONDS).stdout.strip()
    root = json.loads(dump)["command"]
    name = root["commandName"]
    out = [f'.TH {name.upper()} 1 "" "{name} {version}" "User Commands"',
           ".SH NAME", f"{name} \\- {escape(root.get('abstract', ''))}",
           ".SH SYNOPSIS"]
    render_command(root, [name], out, top=True)
    out += [".SH DESCRIPTION", escape(root.get("abstract", ""))]
    if root.get("discussion"):
        out += [".PP", escape(root["discussion"])]
    out.append(".SH COMMANDS")
    for subcommand in root.get("subcommands") or []:
        if subcommand["commandName"] != "help":
            render_command(subcommand, [name, subcommand["commandName"]], out, top=False)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
