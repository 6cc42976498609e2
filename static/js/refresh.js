// Listing pages reload every N seconds (data-refresh-seconds on <body>), like the old rolling
// news wall, and come back to where the reader had scrolled to.
(function () {
  var seconds = parseInt(document.body.getAttribute("data-refresh-seconds") || "0", 10);
  var key = "finews-scroll:" + location.pathname + location.search;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    window.scrollTo(0, parseInt(saved, 10) || 0);
  }
  if (seconds > 0) {
    setTimeout(function () {
      sessionStorage.setItem(key, String(window.scrollY));
      location.reload();
    }, seconds * 1000);
  }
})();
