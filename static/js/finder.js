// Finders: typing part of a name, its pinyin or its pinyin initials (dcgd for 东财滚动新闻)
// narrows a list of sources or tags (#source-list, items li[data-pinyin]); groups marked
// data-finder-group hide when nothing in them matches; Enter opens the first match. On the home
// page the list sits folded in <details>, opened while a search is typed. Without JavaScript the
// form stays hidden and the full list is there.
(function () {
  var form = document.querySelector("[data-source-finder]");
  var input = document.getElementById("source-q");
  var count = document.getElementById("source-count");
  var list = document.getElementById("source-list");
  if (!form || !input || !count || !list) {
    return;
  }
  var noun = form.getAttribute("data-noun") || "来源";
  var details = list.closest("details");
  var groups = list.querySelectorAll("[data-finder-group]");
  var items = Array.prototype.map.call(list.querySelectorAll("li[data-pinyin]"), function (item) {
    var link = item.querySelector("a");
    return {
      item: item,
      link: link,
      text: (link.textContent + " " + item.getAttribute("data-pinyin")).toLowerCase()
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
    Array.prototype.forEach.call(groups, function (group) {
      group.hidden = !group.querySelector("li[data-pinyin]:not([hidden])");
    });
    if (needle) {
      if (details && !details.open) {
        details.open = true;
        openedHere = true;
      }
      count.textContent = found.length ? "找到 " + found.length + " 个" + noun + "，按回车打开第一个" : "没有找到这个" + noun;
    } else {
      count.textContent = "";
      if (details && openedHere) {
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
      location.href = found[0].link.href;
    }
  });
  form.hidden = false;
})();
