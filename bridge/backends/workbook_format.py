"""How the workbook looks (ARCHITECTURE §6): widths that fit the content, wrapped long text,
number formats, header and key frozen, an autofilter, rows whose ``sync_status`` asks for
action highlighted, landscape pages, drop-downs, and the ``Guide`` sheet. Applied when a
sheet is created or gains columns; an idle sync writes nothing, so it formats nothing."""

from __future__ import annotations

from typing import Any

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.datavalidation import DataValidation

from bridge.guide import HEADER as GUIDE_HEADER
from bridge.guide import TITLE as GUIDE_TITLE
from bridge.guide import guide_rows
from bridge.layout import STATUS, SheetLayout, action_formula

CHOICES = {"decision": '"y,n"', "publish": '"y"'}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
ACTION_FILL = PatternFill("solid", fgColor="FCE4D6", bgColor="FCE4D6")
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center")
NUMBER_FORMATS = {"scientific": "0.0#e+00", "probability": "0.000", "grouped": "#,##0"}
FORMATTED_ROWS = 1_048_576  # every row a sheet can have: rows appended anywhere are covered
GUIDE_WIDTHS = (12, 26, 60, 70)
# Arial (Liberation Sans where Arial is missing, with the same metrics): column widths come
# out the same in Excel and LibreOffice; Calibri, the default, is often missing on Linux.
FONT = "Arial"
PRINT_SCALE = 75  # percent: the deciding columns and sync_status fit one landscape A4 page


def set_default_font(book: Any) -> None:
    """A new workbook's default font (column widths are measured in its digits)."""
    book._fonts = IndexedList([Font(name=FONT, sz=10, family=2)])


def style_header(cell: Any, column: str) -> Any:
    cell.value = column
    cell.data_type = "s"
    cell.font = Font(name=FONT, sz=10, bold=True)
    cell.fill = HEADER_FILL
    cell.alignment = HEADER_ALIGNMENT
    return cell


def style_cell(cell: Any, layout: SheetLayout, column: str) -> Any:
    """A data cell's number format or wrapping, by its column."""
    kind = layout.number_format(column)
    if kind is not None and isinstance(cell.value, int | float):
        cell.number_format = NUMBER_FORMATS[kind]
    elif isinstance(cell.value, str) and layout.wraps(column):
        cell.alignment = WRAP
    return cell


def format_sheet(
    sheet: Any, layout: SheetLayout, header: list[str], rows: list[dict[str, str]], last_row: int
) -> None:
    """Widths, panes, filter, highlight, drop-downs and page setup of a sheet whose columns
    are ``header`` and whose content is ``rows`` (canonical cells)."""
    widths = layout.widths(rows)
    letters = {column: get_column_letter(i) for i, column in enumerate(header, start=1)}
    for column, letter in letters.items():
        sheet.column_dimensions[letter].width = widths.get(column, 12)
    sheet.freeze_panes = "B2"  # the header row and the key column
    last = get_column_letter(len(header))
    sheet.auto_filter.ref = f"A1:{last}{max(last_row, 2)}"
    status = letters.get(STATUS)
    if status is not None:
        rule = FormulaRule(formula=[action_formula(status)], fill=ACTION_FILL)
        sheet.conditional_formatting.add(f"A2:{last}{FORMATTED_ROWS}", rule)
    for column, choices in CHOICES.items():
        if column in letters:
            letter = letters[column]
            check = DataValidation(type="list", formula1=choices, allow_blank=True)
            check.showErrorMessage = False  # y/yes/above and n/no/below are all accepted
            check.add(f"{letter}2:{letter}{FORMATTED_ROWS}")
            sheet.data_validations.append(check)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.scale = PRINT_SCALE
    sheet.page_margins.left = sheet.page_margins.right = 0.4  # inches
    sheet.print_title_rows = "1:1"
    sheet.print_title_cols = "A:A"


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
            cell.value, cell.data_type, cell.alignment = text, "s", WRAP
            cells.append(cell)
        sheet.append(cells)


def _cell(sheet: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    return WriteOnlyCell(sheet)
