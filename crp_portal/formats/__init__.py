"""Date formats (FORMAT_MODULE_PATH): one format in the admin and on the pages, ISO 8601 dates
(2020-10-05) and 24-hour times, whatever Django's own English defaults ("Oct. 5, 2020, 7:19
a.m."). Issue #13, item 4. Other languages keep their locale's formats."""
