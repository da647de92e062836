"""Zappa `zip` callback: add compiled bytecode to the package; it halves the cold start.

Lambda unpacks the package read-only and Zappa leaves out __pycache__, so without this every
cold start compiles every module it imports, again (half of the cold start, `make bench-deploy`).
The .pyc files are checked-hash ones (PEP 552): valid whatever timestamps the unpacked files
get, and Python still compiles afresh any module whose source does not match.

Zappa loads this file on its own (zappa_settings.json "callbacks"), so it imports only stdlib.
"""

import importlib.util
import py_compile
import sys
import tempfile
import zipfile
from pathlib import Path


def add_bytecode(zappa_cli):
    runtime = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if zappa_cli.runtime != runtime:
        # Bytecode is specific to the Python version; a mismatch would only cost size.
        raise RuntimeError(f"Build the {zappa_cli.runtime} package with {zappa_cli.runtime}, not {runtime}.")
    add_to(zappa_cli.zip_path)


def add_to(package):
    with zipfile.ZipFile(package, "a", zipfile.ZIP_DEFLATED) as archive, tempfile.TemporaryDirectory() as scratch:
        present = set(archive.namelist())
        sources = [info for info in archive.infolist() if info.filename.endswith(".py")]
        for info in sources:
            target = importlib.util.cache_from_source(info.filename)
            if target in present:
                continue
            source, compiled = Path(scratch) / "module.py", Path(scratch) / "module.pyc"
            source.write_bytes(archive.read(info))
            try:
                py_compile.compile(
                    str(source),
                    cfile=str(compiled),
                    dfile=info.filename,
                    doraise=True,
                    invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
                )
            except py_compile.PyCompileError:
                continue  # not valid for this Python (a library's optional backport); importing it fails anyway
            entry = zipfile.ZipInfo(target, date_time=info.date_time)
            entry.external_attr, entry.create_system = info.external_attr, info.create_system
            archive.writestr(entry, compiled.read_bytes(), zipfile.ZIP_DEFLATED)
