"""Shell commands and IPython's automagic (data only).

What a ``!cmd`` line does in a pipeline: display commands only show something and are
dropped with a reason; folder creation becomes :meth:`pathlib.Path.mkdir`; everything else
runs through ``subprocess.run(..., check=True)`` (downloads, unzip, copies).
"""

from __future__ import annotations

#: Commands that only print something about the machine or the files (dropped).
#: A command with an output redirection (``>``) or a pipe into a writer is not one.
DISPLAY_COMMANDS = {
    "ls": "lists files", "ll": "lists files", "dir": "lists files", "tree": "lists files",
    "pwd": "prints the working directory", "cat": "prints a file", "head": "prints a file",
    "tail": "prints a file", "less": "prints a file", "more": "prints a file",
    "wc": "counts lines", "du": "shows disk usage", "df": "shows disk usage",
    "free": "shows memory", "nproc": "shows the CPUs", "lscpu": "shows the CPUs",
    "nvidia-smi": "shows the GPUs", "uname": "shows the system", "whoami": "shows the user",
    "which": "shows where a program is", "echo": "prints text", "date": "prints the date",
    "hostname": "shows the host", "env": "shows the environment", "top": "shows processes",
    "ps": "shows processes", "file": "shows a file's type", "stat": "shows a file's details",
    "md5sum": "prints a checksum", "sha256sum": "prints a checksum", "find": "lists files",
}

#: ``<program> <first argument>`` pairs that only print versions or installed packages.
DISPLAY_SUBCOMMANDS = {
    ("pip", "freeze"), ("pip", "list"), ("pip", "show"), ("pip3", "freeze"),
    ("pip3", "list"), ("pip3", "show"), ("conda", "list"), ("conda", "info"),
    ("conda", "env"), ("git", "log"), ("git", "status"), ("git", "diff"), ("git", "show"),
    ("jupyter", "--version"), ("nvcc", "--version"),
}

#: Programs whose ``--version`` / ``-V`` only prints a version.
VERSION_FLAGS = {"--version", "-V", "-v", "version"}

#: IPython's default aliases (``%alias`` on POSIX): typed without ``!``, they run in a shell.
ALIASES = {"ls", "ll", "lf", "lk", "lx", "ldir", "cat", "cp", "mv", "rm", "rmdir", "mkdir",
           "less", "more", "man", "clear"}

#: Line magics IPython's automagic runs when typed without ``%`` (a subset: those seen in
#: real notebooks and those nb2flow translates).
AUTOMAGICS = {"pwd", "cd", "pip", "conda", "mamba", "env", "time", "timeit", "who", "whos",
              "history", "matplotlib", "load_ext", "reload_ext", "autoreload", "config",
              "lsmagic", "pylab", "precision", "xmode", "dhist", "pushd", "popd", "dirs",
              "bookmark", "store", "run", "reset", "sx", "system", "magic"}
