"""Plan text out of a .txt, .docx or .pdf file, bounded before it is read.

Pure Python (no Django import). Every refusal is a :class:`PlanFileError`
with a Chinese message; ``unreadable`` tells a file we could not read at all
(too big, binary, damaged, scanned) from one that was read but holds nothing
to use (empty, tables only, no Chinese).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 10 * 1024 * 1024          # a 20-page plan is well under 1 MB even as a PDF
MAX_CHARS = 1_000_000                 # about 500 pages of Chinese text
MAX_PDF_PAGES = 300
MAX_DOCX_UNPACKED = 60 * 1024 * 1024  # guards against a zip bomb renamed .docx
SUFFIXES = (".txt", ".docx", ".pdf")


class PlanFileError(Exception):
    def __init__(self, message: str, *, unreadable: bool) -> None:
        super().__init__(message)
        self.message = message
        self.unreadable = unreadable


@dataclass(frozen=True)
class PlanText:
    text: str
    warning: str | None = None   # read, but worth telling the user (e.g. no Chinese in it)


def read_plan_file(path: str | Path) -> PlanText:
    """The text of the plan at ``path``; its size is checked before a byte is read."""
    path = Path(path)
    if not path.is_file():
        raise PlanFileError(f"找不到文件：{path}", unreadable=True)
    size = path.stat().st_size
    check_size(size, path.name)
    with path.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    return read_plan_bytes(data, path.name)


def check_size(size: int, name: str) -> None:
    if size > MAX_BYTES:
        raise PlanFileError(
            f"文件「{name}」有 {size / 1024 / 1024:.1f} MB，超过 {MAX_BYTES // 1024 // 1024} MB 的上限，未读取。"
            "请只上传计划正文。", unreadable=True)


def read_plan_bytes(data: bytes, name: str) -> PlanText:
    """The text of an uploaded or opened plan file named ``name``."""
    check_size(len(data), name)
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise PlanFileError(f"文件「{name}」的类型不支持：只能读取 .txt、.docx 或带文字层的 .pdf。",
                            unreadable=True)
    if not data.strip():
        raise PlanFileError(f"文件「{name}」是空的，没有可读取的计划文字。", unreadable=False)
    if suffix == ".txt":
        text = _read_txt(data, name)
    elif suffix == ".docx":
        text = _read_docx(data, name)
    else:
        text = _read_pdf(data, name)
    return check_text(text, name)


def check_text(text: str, name: str) -> PlanText:
    """Bound the text and say when it holds no Chinese plan."""
    if len(text) > MAX_CHARS:
        raise PlanFileError(f"「{name}」的文字超过 {MAX_CHARS:,} 个字符，未读取。请分篇上传。",
                            unreadable=True)
    if not text.strip():
        raise PlanFileError(f"「{name}」里没有文字。", unreadable=False)
    han = len(re.findall(r"[\u4e00-\u9fff]", text))
    if han < 10 or han < len(re.findall(r"[A-Za-z]", text)) / 4:
        return PlanText(text, warning=f"「{name}」里几乎没有中文；计划读取器只读中文计划，未找到目标。")
    return PlanText(text)


def _read_txt(data: bytes, name: str) -> str:
    sample = data[:8192]
    if b"\x00" in sample:
        raise PlanFileError(f"「{name}」不是文本文件（内容是二进制数据），请另存为 UTF-8 文本或直接粘贴文字。",
                            unreadable=True)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\r\n\t\f")
        if controls > len(text[:8192]) / 100:
            break
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise PlanFileError(f"「{name}」不是可识别的文本（既不是 UTF-8 也不是 GBK 编码），请另存为 UTF-8 文本。",
                        unreadable=True)


def _read_docx(data: bytes, name: str) -> str:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise PlanFileError(f"「{name}」不是有效的 Word(.docx) 文件，可能已损坏或只是改了扩展名。",
                            unreadable=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_DOCX_UNPACKED:
            raise PlanFileError(f"「{name}」解压后过大，未读取。", unreadable=True)
        if "word/document.xml" not in archive.namelist():
            raise PlanFileError(f"「{name}」不是有效的 Word(.docx) 文件：缺少正文部分。", unreadable=True)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds on a damaged package
        raise PlanFileError(f"「{name}」无法作为 Word 文件打开：{error.__class__.__name__}。",
                            unreadable=True) from error
    lines = [paragraph.text for paragraph in document.paragraphs]
    text = "\n".join(lines)
    if not text.strip():
        raise PlanFileError(f"「{name}」里没有正文段落（只有表格或图片）。请把计划正文作为段落文字上传，或直接粘贴文字。",
                            unreadable=False)
    return text


def _read_pdf(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise PlanFileError(f"「{name}」是加密的 PDF，无法读取。", unreadable=True)
        pages = reader.pages
        if len(pages) > MAX_PDF_PAGES:
            raise PlanFileError(f"「{name}」有 {len(pages)} 页，超过 {MAX_PDF_PAGES} 页的上限，未读取。",
                                unreadable=True)
        texts = [page.extract_text() or "" for page in pages]
    except PlanFileError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise PlanFileError(f"「{name}」不是有效的 PDF 文件，可能已损坏或只是改了扩展名。",
                            unreadable=True) from error
    text = "\n".join(texts)
    if not text.strip():
        raise PlanFileError(f"「{name}」没有文字层（可能是扫描件或图片），无法读取。请上传带文字的 PDF 或 Word，或直接粘贴文字。",
                            unreadable=True)
    return text
