"""How the workbook looks (ARCHITECTURE §6): widths that fit the content, wrapped long text,
number formats, header and key frozen, an autofilter, rows whose ``sync_status`` asks for
action highlighted, landscape pages, drop-downs, and the ``Guide`` sheet. Applied when a
sheet is created or gains columns; an idle sync writes nothing, so it formats nothing.

The same look two ways: with XlsxWriter for a new workbook (:class:`NewFormats`,
:func:`format_new_sheet`, :func:`add_new_guide`), with openpyxl for a sheet created or
grown in a workbook a reviewer has saved (the functions without ``new``). openpyxl is
imported only by the latter: a new workbook, and an idle sync, never load it."""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from bridge.guide import HEADER as GUIDE_HEADER
from bridge.guide import TITLE as GUIDE_TITLE
from bridge.guide import guide_rows
from bridge.layout import STATUS, SheetLayout, action_formula

CHOICES = {"decision": ("y", "n"), "publish": ("y",)}  # y/yes/above, n/no/below all accepted
HEADER_COLOR, ACTION_COLOR = "DDEBF7", "FCE4D6"
NUMBER_FORMATS = {"scientific": "0.0#e+00", "probability": "0.000", "grouped": "#,##0"}
FORMATTED_ROWS = 1_048_576  # every row a sheet can have: rows appended anywhere are covered
GUIDE_WIDTHS = (12, 26, 60, 70)
# Arial (Liberation Sans where Arial is missing, with the same metrics): column widths come
# out the same in Excel and LibreOffice; Calibri, the default, is often missing on Linux.
FONT = "Arial"
PRINT_SCALE = 75  # percent: the deciding columns and sync_status fit one landscape A4 page
A4, SIDE_MARGIN = 9, 0.4  # paper size code; left and right margins, inches


@cache
def _styles() -> SimpleNamespace:
    """openpyxl's styles of the header, wrapped text and the highlight, made once."""
    from openpyxl.styles import Alignment, Font, PatternFill

    return SimpleNamespace(
        header_font=Font(name=FONT, sz=10, bold=True),
        header_fill=PatternFill("solid", fgColor=HEADER_COLOR),
        header_alignment=Alignment(wrap_text=True, vertical="center"),
        action_fill=PatternFill("solid", fgColor=ACTION_COLOR, bgColor=ACTION_COLOR),
        wrap=Alignment(wrap_text=True, vertical="top"),
    )


def get_column_letter(number: int) -> str:
    """A column's letters from its number, 1 for "A" (as openpyxl's function of that name)."""
    return xl_col_to_name(number - 1)


def style_header(cell: Any, column: str) -> Any:
    styles = _styles()
    cell.value = column
    cell.data_type = "s"
    cell.font = styles.header_font
    cell.fill = styles.header_fill
    cell.alignment = styles.header_alignment
    return cell


def style_cell(cell: Any, layout: SheetLayout, column: str) -> Any:
    """A data cell's number format or wrapping, by its column."""
    kind = layout.number_format(column)
    if kind is not None and isinstance(cell.value, int | float):
        cell.number_format = NUMBER_FORMATS[kind]
    elif isinstance(cell.value, str) and layout.wraps(column):
        cell.alignment = _styles().wrap
    return cell


def format_sheet(
    sheet: Any, layout: SheetLayout, header: list[str], rows: list[dict[str, str]], last_row: int
) -> None:
    """Widths, panes, filter, highlight, drop-downs and page setup of a sheet whose columns
    are ``header`` and whose content is ``rows`` (canonical cells)."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.worksheet.datavalidation import DataValidation

    widths = layout.widths(rows)
    letters = {column: get_column_letter(i) for i, column in enumerate(header, start=1)}
    for column, letter in letters.items():
        sheet.column_dimensions[letter].width = widths.get(column, 12)
    sheet.freeze_panes = "B2"  # the header row and the key column
    last = get_column_letter(len(header))
    sheet.auto_filter.ref = f"A1:{last}{max(last_row, 2)}"
    status = letters.get(STATUS)
    if status is not None:
        rule = FormulaRule(formula=[action_formula(status)], fill=_styles().action_fill)
        sheet.conditional_formatting.add(f"A2:{last}{FORMATTED_ROWS}", rule)
    for column, choices in CHOICES.items():
        if column in letters:
            letter = letters[column]
            check = DataValidation(type="list", formula1=_list(choices), allow_blank=True)
            check.showErrorMessage = False  # y/yes/above and n/no/below are all accepted
            check.add(f"{letter}2:{letter}{FORMATTED_ROWS}")
            sheet.data_validations.append(check)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = str(A4)
    sheet.page_setup.scale = PRINT_SCALE
    sheet.page_margins.left = sheet.page_margins.right = SIDE_MARGIN
    sheet.print_title_rows = "1:1"
    sheet.print_title_cols = "A:A"


def _list(choices: tuple[str, ...]) -> str:
    """A drop-down's choices as a list formula (``"y,n"``)."""
    return '"' + ",".join(choices) + '"'


def clear_format(sheet: Any) -> None:
    """Forget the formatting :func:`format_sheet` set, before setting it again."""
    from openpyxl.formatting.formatting import ConditionalFormattingList
    from openpyxl.worksheet.datavalidation import DataValidationList

    sheet.conditional_formatting = ConditionalFormattingList()
    sheet.data_validations = DataValidationList()


def add_guide(book: Any, layouts: list[SheetLayout]) -> None:
    """The ``Guide`` sheet, last, written anew (a streamed workbook takes rows once)."""
    if GUIDE_TITLE in book.sheetnames:
        del book[GUIDE_TITLE]
    sheet = book.create_sheet(GUIDE_TITLE)
    for index, width in enumerate(GUIDE_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.page_setup.orientation = "landscape"
    cells = []
    for column in GUIDE_HEADER:
        cells.append(style_header(_cell(sheet), column))
    sheet.append(cells)
    for row in guide_rows(layouts):
        cells = []
        for text in row:
            cell = _cell(sheet)
            cell.value, cell.data_type, cell.alignment = text, "s", _styles().wrap
            cells.append(cell)
        sheet.append(cells)


def _cell(sheet: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    return WriteOnlyCell(sheet)


def xlsxwriter_width(width: float) -> int:
    """XlsxWriter's pixels for a column ``width`` characters wide as openpyxl writes it (the
    width in the file, 7 pixels a digit): XlsxWriter's own width adds the cell padding."""
    return round(width * 7)


class NewFormats:
    """The cell formats of a new XlsxWriter workbook, made once and shared by its sheets."""

    def __init__(self, book: Any) -> None:
        font = {"font_name": FONT, "font_size": 10}
        self.header = book.add_format(
            {**font, "bold": True, "bg_color": f"#{HEADER_COLOR}", "pattern": 1,
             "text_wrap": True, "valign": "vcenter"}
        )  # fmt: skip
        self.wrap = book.add_format({**font, "text_wrap": True, "valign": "top"})
        self.numbers = {
            k: book.add_format({**font, "num_format": f}) for k, f in NUMBER_FORMATS.items()
        }
        self.action = book.add_format({"bg_color": f"#{ACTION_COLOR}", "pattern": 1})

    def of_column(self, layout: SheetLayout, column: str) -> tuple[Any, Any]:
        """(format of a number, format of a text) in ``column``, as :func:`style_cell`."""
        kind = layout.number_format(column)
        return (
            self.numbers[kind] if kind is not None else None,
            self.wrap if layout.wraps(column) else None,
        )


def format_new_sheet(
    sheet: Any,
    formats: NewFormats,
    layout: SheetLayout,
    header: list[str],
    rows: list[dict[str, str]],
    last_row: int,
) -> None:
    """:func:`format_sheet` for a sheet of a new XlsxWriter workbook."""
    widths = layout.widths(rows)
    for index, column in enumerate(header):
        sheet.set_column_pixels(index, index, xlsxwriter_width(widths.get(column, 12)))
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, max(last_row, 2) - 1, len(header) - 1)
    if STATUS in header:
        letter = get_column_letter(header.index(STATUS) + 1)
        rule = {"type": "formula", "criteria": "=" + action_formula(letter)}
        sheet.conditional_format(
            1, 0, FORMATTED_ROWS - 1, len(header) - 1, {**rule, "format": formats.action}
        )
    for column, choices in CHOICES.items():
        if column in header:
            index = header.index(column)
            check = {"validate": "list", "source": list(choices), "show_error": False}
            sheet.data_validation(1, index, FORMATTED_ROWS - 1, index, check)
    _new_page(sheet)
    sheet.set_print_scale(PRINT_SCALE)
    sheet.repeat_rows(0)
    sheet.repeat_columns(0)
    for index, column in enumerate(header):
        sheet.write_string(0, index, column, formats.header)


def add_new_guide(book: Any, formats: NewFormats, layouts: list[SheetLayout]) -> None:
    """:func:`add_guide` for a new XlsxWriter workbook."""
    sheet = book.add_worksheet(GUIDE_TITLE)
    for index, width in enumerate(GUIDE_WIDTHS):
        sheet.set_column_pixels(index, index, xlsxwriter_width(width))
    sheet.freeze_panes(1, 0)
    _new_page(sheet, margins=False)
    for index, column in enumerate(GUIDE_HEADER):
        sheet.write_string(0, index, column, formats.header)
    for number, row in enumerate(guide_rows(layouts), start=1):
        for index, text in enumerate(row):
            sheet.write_string(number, index, text, formats.wrap)


def _new_page(sheet: Any, margins: bool = True) -> None:
    """Landscape A4 with openpyxl's default margins (the sides narrower on a data sheet)."""
    sheet.set_landscape()
    side = SIDE_MARGIN if margins else 0.75
    sheet.set_margins(left=side, right=side, top=1.0, bottom=1.0)
    sheet.set_header("", {"margin": 0.5})
    sheet.set_footer("", {"margin": 0.5})
    if margins:
        sheet.set_paper(A4)
