(function () {
  "use strict";
  var table = document.getElementById("findings");
  if (!table) { document.documentElement.setAttribute("data-ready", "1"); return; }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var q = document.getElementById("q");
  var fv = document.getElementById("f-verdict");
  var ft = document.getElementById("f-type");
  var count = document.getElementById("count");
  function apply() {
    var s = q.value.toLowerCase(), shown = 0;
    rows.forEach(function (r) {
      var ok = (!s || r.textContent.toLowerCase().indexOf(s) !== -1) &&
        (!fv.value || r.getAttribute("data-verdict") === fv.value) &&
        (!ft.value || r.getAttribute("data-type") === ft.value);
      r.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " rows shown";
  }
  [q, fv, ft].forEach(function (el) { el.addEventListener("input", apply); });
  function key(r, i) {
    var c = r.cells[i];
    return c.hasAttribute("data-sort") ? c.getAttribute("data-sort") : c.textContent;
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    th.querySelector("button").addEventListener("click", function () {
      var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) {
        h.removeAttribute("aria-sort");
      });
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = key(a, i), y = key(b, i), nx = Number(x), ny = Number(y);
        var c = (x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return c * dir;
      });
      rows.forEach(function (r) { tbody.appendChild(r); });
    });
  });
  apply();
  document.documentElement.setAttribute("data-ready", "1");
}());
