// The home page's source finder: typing part of a source's name, its pinyin or its pinyin
// initials (dcgd for 东财滚动新闻) narrows the list of sources; Enter jumps to the first match.
// Without JavaScript the form stays hidden and the full list is one click away in <details>.
(function () {
  var form = document.querySelector("[data-source-finder]");
  var input = document.getElementById("source-q");
  var count = document.getElementById("source-count");
  var list = document.getElementById("source-list");
  if (!form || !input || !count || !list) {
    return;
  }
  var details = list.closest("details");
  var items = Array.prototype.map.call(list.children, function (item) {
    var link = item.querySelector("a");
    return {
      item: item,
      link: link,
      text: (link.textContent + " " + (item.getAttribute("data-pinyin") || "")).toLowerCase()
    };
  });
  var openedHere = false;

  function matches() {
    var needle = input.value.trim().toLowerCase().replace(/\s+/g, "");
    var found = [];
    items.forEach(function (entry) {
      var hit = !needle || entry.text.indexOf(needle) >= 0;
      entry.item.hidden = !hit;
      if (hit) {
        found.push(entry);
      }
    });
    if (needle) {
      if (!details.open) {
        details.open = true;
        openedHere = true;
      }
      count.textContent = found.length ? "找到 " + found.length + " 个来源，按回车跳到第一个" : "没有找到这个来源";
    } else {
      count.textContent = "";
      if (openedHere) {
        details.open = false;
        openedHere = false;
      }
    }
    return found;
  }

  input.addEventListener("input", matches);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var found = matches();
    if (input.value.trim() && found.length) {
      location.hash = found[0].link.getAttribute("href");
    }
  });
  form.hidden = false;
})();
