"""The spreadsheet bridge: mirror candidates, staging and published to a shared sheet
(local workbook, Airtable or Google Sheets) and pull reviewers' decisions and corrections
back through the same plans, mapping and schema translation as the command line."""
