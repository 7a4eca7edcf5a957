// The report page (skeleton): reads #report-data and renders it.
"use strict";
