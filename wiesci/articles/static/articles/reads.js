// Count one read of this article for "Most read": the address only, sent once
// the page has loaded; no cookie is set and nothing identifies the reader.
"use strict";
if (navigator.sendBeacon) {
  navigator.sendBeacon("/_czytane/", location.pathname);
}
