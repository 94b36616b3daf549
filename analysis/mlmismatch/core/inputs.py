"""Opening user input safely: regular files only, bounded archives, defused XML, bounded CSV, checked numbers.

Every reader of a user's file goes through these helpers, so that a hostile or broken file gets a
one-line :class:`~mlmismatch.core.errors.InputError` (exit 2) before it can hang the tool or use
unbounded memory:

- :func:`open_regular` opens a file without blocking (``O_NONBLOCK``) and refuses anything that is
  not a regular file: a named pipe (FIFO), a device, a directory, a socket, a symbolic-link loop;
- :func:`open_zip` checks an archive (``.xlsx``, ``.qdpx``) from its central directory before a
  byte is inflated: number of members, encrypted members, the uncompressed size of each member and
  of the whole archive, and the compression ratio. Python's :mod:`zipfile` never inflates a member
  beyond the size the directory declares (a lying size ends in a CRC error), so the checks bound
  what any later reader (ours or openpyxl's) can inflate;
- :func:`read_member` reads one member, turning a corrupted deflate stream or a bad CRC into a
  located error;
- :func:`parse_xml` parses with :mod:`defusedxml` (no DTDs, no entity declarations, no external
  references) and refuses documents nested deeper than :data:`MAX_XML_DEPTH` or holding more than
  :data:`MAX_XML_ELEMENTS` elements;
- :func:`read_csv_rows` reads a UTF-8 CSV with at most :data:`MAX_CELLS` cells;
- :func:`parse_int` reads a whole number from a cell (``1e400``, ``inf``, ``abc`` are refused).

The limits are module constants (see the README, "What bad input gets").
"""

from __future__ import annotations

import errno
import io
import math
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from mlmismatch.core.errors import InputError, Location

if TYPE_CHECKING:  # pragma: no cover
    import zipfile
    from xml.etree.ElementTree import Element

MiB = 1 << 20

#: The largest input file read whole (a CSV, a REFI-QDA codebook).
MAX_FILE_BYTES = 64 * MiB
#: Members of one archive (the study's coding workbook has 170).
MAX_ZIP_MEMBERS = 10_000
#: Uncompressed size of one archive member (the study's largest sheet is 0.7 MiB).
MAX_MEMBER_BYTES = 16 * MiB
#: Uncompressed size of all members of one archive together (the study's workbooks: 0.7 and 1.1 MiB).
MAX_ARCHIVE_BYTES = 64 * MiB
#: Compression ratio of a member larger than :data:`RATIO_GRACE_BYTES` (the study's: at most 15).
MAX_RATIO = 100
RATIO_GRACE_BYTES = 1 * MiB
#: XML nesting depth (a REFI-QDA codebook needs 4, a worksheet 6).
MAX_XML_DEPTH = 64
#: Elements of one XML document read into a tree (a REFI-QDA codebook or project).
MAX_XML_ELEMENTS = 500_000
#: Elements of all the XML parts of one workbook together (streamed, never held as a tree).
MAX_STREAMED_ELEMENTS = 1_000_000
#: Cells of one CSV, or of all the sheets read from one workbook (padding included).
MAX_CELLS = 200_000
#: Non-empty rows of all the sheets read from one workbook (openpyxl spends ~20-40 µs on each).
MAX_ROWS = 20_000
#: Rows of one sheet: Excel's own limit.
MAX_SHEET_ROWS = 1_048_576
#: Characters in one cell: Excel's own limit.
MAX_CELL_CHARS = 32_767

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def size_text(n: int) -> str:
    """``n`` bytes as the README states limits (``32 MiB``, ``0.5 MiB``, ``12 bytes``)."""
    if n < MiB // 10:
        return f"{n:,} bytes"
    value = n / MiB
    return f"{value:.0f} MiB" if value >= 10 or value == int(value) else f"{value:.1f} MiB"


def not_a_file(st: os.stat_result) -> str | None:
    """What a stat result is when it is not a regular file (``'a named pipe (FIFO)'``), else None."""
    for test, name in _KINDS:
        if test(st.st_mode):
            return name
    return None if stat.S_ISREG(st.st_mode) else "not a regular file"


def _os_problem(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "a symbolic link loop"
    if exc.errno == errno.ENOENT:
        return "file not found"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return f"cannot be opened ({exc.strerror or type(exc).__name__})"


def open_regular(path: str | Path, what: str, max_bytes: int | None = None,
                 where: Location | None = None) -> BinaryIO:
    """Open ``path`` for reading in binary mode if it is a regular file (at most ``max_bytes``).

    The file is opened with ``O_NONBLOCK`` and checked with ``fstat`` on the open descriptor, so a
    FIFO never blocks the tool and no file can be swapped in between the check and the read.
    ``what`` says what was expected (``"a coding workbook (.xlsx)"``).
    """
    path = Path(path)
    where = where or Location(file=path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(_os_problem(exc), where, expected=what) from None
    try:
        st = os.fstat(fd)
        kind = not_a_file(st)
        if kind is not None:
            raise InputError(f"{kind}, not a regular file", where, expected=what)
        if max_bytes is not None and st.st_size > max_bytes:
            raise InputError(f"file of {size_text(st.st_size)}, over the limit of {size_text(max_bytes)}", where,
                             expected=what)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def check_regular(path: str | Path, what: str, max_bytes: int | None = None) -> Path:
    """Refuse ``path`` unless it is a regular file (see :func:`open_regular`); return it."""
    open_regular(path, what, max_bytes).close()
    return Path(path)


def read_bytes(path: str | Path, what: str, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` (default :data:`MAX_FILE_BYTES`)."""
    max_bytes = MAX_FILE_BYTES if max_bytes is None else max_bytes
    with open_regular(path, what, max_bytes) as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:  # the file grew while it was read
        raise InputError(f"file over the limit of {size_text(max_bytes)}", Location(file=Path(path)), expected=what)
    return data


# --------------------------------------------------------------------------------------------
# Archives
# --------------------------------------------------------------------------------------------

def open_zip(path: str | Path, what: str, *, not_zip: str = "not a zip archive", format_expected: str | None = None,
             max_member: int | None = None, max_total: int | None = None, max_ratio: float | None = None,
             max_members: int | None = None) -> "zipfile.ZipFile":
    """Open a zip archive after checking its directory against the limits (nothing inflated yet).

    ``not_zip`` is the problem stated when the file is not an archive at all, with
    ``format_expected`` (default ``what``) as what was expected.
    """
    import zipfile

    path = Path(path)
    fmt = format_expected or what
    fh = open_regular(path, what)
    try:
        if not zipfile.is_zipfile(fh):
            raise InputError(not_zip, Location(file=path), expected=fmt)
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise InputError(f"a damaged zip archive ({exc})", Location(file=path), expected=fmt) from None
    except BaseException:
        fh.close()
        raise
    try:
        check_zip(zf, path, what, max_member=max_member, max_total=max_total, max_ratio=max_ratio,
                  max_members=max_members)
    except BaseException:
        zf.close()
        fh.close()
        raise
    zf._mlmismatch_fh = fh  # closed with the archive (see close_zip)
    return zf


def close_zip(zf: "zipfile.ZipFile") -> None:
    """Close an archive opened by :func:`open_zip` and its file."""
    zf.close()
    fh = getattr(zf, "_mlmismatch_fh", None)
    if fh is not None:
        fh.close()


def check_zip(zf: "zipfile.ZipFile", path: Path, what: str, *, max_member: int | None = None,
              max_total: int | None = None, max_ratio: float | None = None, max_members: int | None = None) -> None:
    """The limits of :func:`open_zip`, on an open archive (None: the module's limit)."""
    import zipfile

    max_member = MAX_MEMBER_BYTES if max_member is None else max_member
    max_total = MAX_ARCHIVE_BYTES if max_total is None else max_total
    max_ratio = MAX_RATIO if max_ratio is None else max_ratio
    max_members = MAX_ZIP_MEMBERS if max_members is None else max_members

    infos = zf.infolist()
    if len(infos) > max_members:
        raise InputError(f"an archive of {len(infos):,} members, over the limit of {max_members:,}",
                         Location(file=path), expected=what)
    total = 0
    for info in infos:
        where = member_location(path, info.filename)
        if info.flag_bits & 0x1:
            raise InputError("an encrypted archive member", where, expected=f"{what}, not password-protected")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise InputError(f"an archive member compressed with method {info.compress_type}", where,
                             expected=f"{what} (stored or deflated members)")
        if info.file_size > max_member:
            raise InputError(f"an archive member that inflates to {size_text(info.file_size)}, over the limit of "
                             f"{size_text(max_member)}", where, expected=what)
        if info.file_size > RATIO_GRACE_BYTES and info.file_size > max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise InputError(f"an archive member compressed {ratio:,.0f} to 1, over the limit of {max_ratio:g} to 1 "
                             "(a zip bomb?)", where, expected=what)
        total += info.file_size
        if total > max_total:
            raise InputError(f"an archive that inflates to more than {size_text(max_total)}", Location(file=path),
                             expected=what)


def read_member(zf: "zipfile.ZipFile", name: str, file: str | Path, what: str,
                max_bytes: int | None = None) -> bytes:
    """One archive member's bytes; a corrupted stream or CRC is a located error."""
    import zipfile
    import zlib

    max_bytes = MAX_MEMBER_BYTES if max_bytes is None else max_bytes
    where = member_location(file, name)
    info = zf.getinfo(name)
    if info.file_size > max_bytes:
        raise InputError(f"an archive member of {size_text(info.file_size)}, over the limit of {size_text(max_bytes)}",
                         where, expected=what)
    try:
        with zf.open(info) as fh:
            return fh.read()  # zipfile never inflates beyond the declared size
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise InputError(f"a corrupted archive member ({archive_problem(exc)})", where, expected=what) from None


def member_location(file: str | Path, member: str) -> Location:
    """Where an archive member is: ``project.qdpx:project.qde``."""
    return Location(file=f"{Path(file).name}:{member}")


def archive_problem(exc: BaseException) -> str:
    """A short text for an exception raised while inflating an archive member."""
    text = " ".join(str(exc).split())[:120]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# --------------------------------------------------------------------------------------------
# XML
# --------------------------------------------------------------------------------------------

def parse_xml(data: bytes, file: str | Path, what: str, *, max_depth: int | None = None,
              max_elements: int | None = None) -> "Element":
    """Parse XML with defusedxml, refusing DTDs, entities, external references, deep nesting and size.

    Returns the root element (a standard :mod:`xml.etree.ElementTree` element).
    """
    max_depth = MAX_XML_DEPTH if max_depth is None else max_depth
    max_elements = MAX_XML_ELEMENTS if max_elements is None else max_elements
    from xml.etree.ElementTree import ParseError, TreeBuilder

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    class _Limited(TreeBuilder):
        depth = 0
        count = 0

        def start(self, tag, attrs):
            self.depth += 1
            self.count += 1
            if self.depth > max_depth:
                raise _TooDeep(f"elements nested deeper than {max_depth} levels")
            if self.count > max_elements:
                raise _TooDeep(f"more than {max_elements:,} elements")
            return super().start(tag, attrs)

        def end(self, tag):
            self.depth -= 1
            return super().end(tag)

    parser = DefusedXMLParser(target=_Limited(), forbid_dtd=True)

    def here() -> Location:
        p = parser.parser
        return Location(file=file, line=p.CurrentLineNumber, col=p.CurrentColumnNumber + 1)

    try:
        for start in range(0, len(data), 1 << 16):
            parser.feed(data[start:start + (1 << 16)])
        return parser.close()
    except _TooDeep as exc:
        raise InputError(f"XML with {exc}", here(), expected=what) from None
    except DefusedXmlException as exc:
        kind = "a DTD" if type(exc).__name__ == "DTDForbidden" else "an entity declaration or external reference"
        raise InputError(f"XML with {kind}, which is not accepted ({type(exc).__name__})", here(),
                         expected=what) from None
    except ParseError as exc:
        line, col = exc.position
        msg = str(exc).split(":")[0]
        raise InputError(f"not well-formed XML ({msg})", Location(file=file, line=line, col=col + 1),
                         expected=what) from None
    except (ValueError, LookupError) as exc:  # e.g. an unknown encoding in the XML declaration
        raise InputError(f"unreadable XML ({type(exc).__name__}: {' '.join(str(exc).split())[:80]})",
                         Location(file=file), expected=what) from None


class _TooDeep(Exception):
    pass


def scan_xml(source: BinaryIO, where: Location, what: str, *, max_depth: int | None = None,
             max_elements: int | None = None, text_tag: str | None = None, max_text: int | None = None) -> int:
    """Check an XML stream without building a tree; return its number of elements.

    Refused, as defusedxml refuses them: a DTD, entity declarations, external references. Also
    refused: nesting deeper than ``max_depth``, more than ``max_elements`` elements, and (with
    ``text_tag``, a local element name such as ``si``) an element of that name holding more than
    ``max_text`` characters of text. ``where`` names the file (and the archive member in ``path``).
    The scan uses expat directly: it is what defusedxml guards, at half the cost of a tree parser.
    """
    import xml.parsers.expat

    max_depth = MAX_XML_DEPTH if max_depth is None else max_depth
    max_elements = MAX_STREAMED_ELEMENTS if max_elements is None else max_elements
    max_text = MAX_CELL_CHARS if max_text is None else max_text
    parser = xml.parsers.expat.ParserCreate()
    state = {"depth": 0, "count": 0, "in_text": 0, "text": 0}

    def refuse(problem: str):
        return InputError(f"XML with {problem}", _at(where, parser), expected=what)

    def start(name, _attrs):
        state["depth"] += 1
        state["count"] += 1
        if state["depth"] > max_depth:
            raise refuse(f"elements nested deeper than {max_depth} levels")
        if state["count"] > max_elements:
            raise refuse(f"more than {max_elements:,} elements")
        if text_tag is not None and name.rpartition(":")[2] == text_tag:
            state["in_text"] += 1
            state["text"] = 0

    def end(name):
        state["depth"] -= 1
        if text_tag is not None and name.rpartition(":")[2] == text_tag:
            state["in_text"] -= 1

    def data(text):
        if state["in_text"]:
            state["text"] += len(text)
            if state["text"] > max_text:
                raise refuse(f"a text of more than {max_text:,} characters in one <{text_tag}>")

    def doctype(*_args):
        raise InputError("XML with a DTD, which is not accepted", _at(where, parser), expected=what)

    def entity(*_args):
        raise InputError("XML with an entity declaration, which is not accepted", _at(where, parser), expected=what)

    def external(*_args):
        raise InputError("XML with an external reference, which is not accepted", _at(where, parser), expected=what)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    if text_tag is not None:
        parser.CharacterDataHandler = data
        parser.buffer_text = True
    try:
        parser.ParseFile(source)
    except InputError:
        raise
    except xml.parsers.expat.ExpatError as exc:
        problem = xml.parsers.expat.ErrorString(exc.code)
        raise InputError(f"not well-formed XML ({problem})", _at(where, parser, exc.lineno, exc.offset + 1),
                         expected=what) from None
    except Exception as exc:  # a corrupted deflate stream or CRC while the member is inflated
        raise InputError(f"a corrupted archive member ({archive_problem(exc)})", where, expected=what) from None
    return state["count"]


def _at(where: Location, parser, line: int | None = None, col: int | None = None) -> Location:
    from dataclasses import replace

    line = parser.CurrentLineNumber if line is None else line
    col = parser.CurrentColumnNumber + 1 if col is None else col
    return replace(where, line=line, col=col)


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------

def read_csv_rows(path: str | Path, what: str, *, max_cells: int | None = None,
                  max_bytes: int | None = None) -> list[list[str]]:
    """The rows of a UTF-8 CSV (a BOM is allowed), at most ``max_cells`` cells of at most
    :data:`MAX_CELL_CHARS` characters; a NUL byte, bad quoting or a bad encoding is located."""
    import csv

    max_cells = MAX_CELLS if max_cells is None else max_cells
    max_bytes = MAX_FILE_BYTES if max_bytes is None else max_bytes
    path = Path(path)
    data = read_bytes(path, what, max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", Location(file=path, line=line),
                         expected="a UTF-8 CSV") from None
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise InputError("a NUL character", Location(file=path, line=line), expected="a text CSV")
    rows: list[list[str]] = []
    cells = 0
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            cells += len(row)
            if cells > max_cells:
                raise InputError(f"more than {max_cells:,} cells", Location(file=path, line=reader.line_num),
                                 expected=what)
            for j, value in enumerate(row):
                if len(value) > MAX_CELL_CHARS:
                    raise InputError(f"a field of {len(value):,} characters, over the limit of {MAX_CELL_CHARS:,}",
                                     Location(file=path, line=reader.line_num, col=j + 1), expected=what)
            rows.append(row)
    except csv.Error as exc:
        raise InputError(f"not a readable CSV ({exc})", Location(file=path, line=reader.line_num),
                         expected=what) from None
    return rows


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------

def parse_int(value: object, where: Location, what: str, lo: int | None = None, hi: int | None = None) -> int:
    """A whole number from a cell (``3``, ``3.0``, ``'03'``); anything else is a located error.

    ``1e400``, ``inf``, ``nan``, ``2.5`` and ``abc`` are refused, and so is a number outside
    ``lo``..``hi``. The value itself is named in the message only when it is a number.
    """
    number = as_int(value)
    if number is None:
        raise InputError("not a whole number", where, expected=what)
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        raise InputError(f"{number} is out of range", where, expected=what)
    return number


def as_int(value: object) -> int | None:
    """``value`` as an int when it is a finite whole number (``'7'``, ``7.0``, ``' 07 '``), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value == int(value) else None
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > 30:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if math.isfinite(number) and number == int(number) else None
