/** The HTML report's inline style sheet and script (kept apart from the markup that uses them). */

export const PAGE_STYLE = `
:root { color-scheme: light; --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #f9fafb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
.headline { font-size: 18px; font-weight: 600; margin: 4px 0; }
.facts, .muted { color: var(--muted); }
.facts a { color: inherit; }
.warning { background: #fef3c7; border: 1px solid #f59e0b; padding: 8px 12px; border-radius: 6px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 4px 16px 16px; margin: 16px 0; }
.chart text { font-size: 12px; fill: var(--fg); }
.chart text.count { font-weight: 600; }
.controls { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: center; margin: 8px 0; }
.filter { display: inline-flex; gap: 4px; align-items: center; cursor: pointer; }
.filter .n { color: var(--muted); }
#search { margin-left: auto; min-width: 260px; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; border-bottom: 2px solid var(--line); white-space: nowrap; }
th button { all: unset; cursor: pointer; font-weight: 600; padding: 6px 4px; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
td { border-bottom: 1px solid var(--line); padding: 6px 4px; vertical-align: top; }
td.desc { max-width: 420px; overflow-wrap: anywhere; }
tr.ignored td { opacity: 0.6; }
.aliases, .refs { font-size: 12px; color: var(--muted); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; color: #fff; font-size: 12px; font-weight: 600; white-space: nowrap; }
.sev-malicious { background: #7e22ce; }
.sev-critical { background: #b91c1c; }
.sev-high { background: #ea580c; }
.sev-medium { background: #ca8a04; }
.sev-low { background: #2563eb; }
.sev-unknown { background: #6b7280; }
.ignored-badge { background: #9ca3af; }
a { color: #1d4ed8; }
code { font-size: 12px; }
footer { color: var(--muted); font-size: 12px; padding-bottom: 24px; }
`;

export const PAGE_SCRIPT = `
(function () {
  var table = document.getElementById('findings');
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name="severity"]'));
  var showIgnored = document.getElementById('show-ignored');
  var search = document.getElementById('search');
  var showing = document.getElementById('showing');
  function counted(row) { return showIgnored.checked || row.getAttribute('data-ignored') !== 'true'; }
  function apply() {
    var levels = {};
    boxes.forEach(function (b) { if (b.checked) levels[b.value] = true; });
    var query = search.value.trim().toLowerCase();
    var visible = 0;
    var total = 0;
    rows.forEach(function (row) {
      var show = counted(row) && levels[row.getAttribute('data-severity')] === true &&
        (query === '' || row.textContent.toLowerCase().indexOf(query) !== -1);
      row.hidden = !show;
      if (show) visible++;
      if (counted(row)) total++;
    });
    showing.textContent = 'Showing ' + visible + ' of ' + total + ' findings';
  }
  boxes.concat([showIgnored]).forEach(function (el) { el.addEventListener('change', apply); });
  search.addEventListener('input', apply);
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (th, column) {
    th.querySelector('button').addEventListener('click', function () {
      var direction = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
      headers.forEach(function (h) { h.setAttribute('aria-sort', 'none'); });
      th.setAttribute('aria-sort', direction);
      function key(row) {
        var cell = row.cells[column];
        return cell.hasAttribute('data-sort') ? Number(cell.getAttribute('data-sort')) : cell.textContent.trim().toLowerCase();
      }
      var sorted = rows.slice().sort(function (a, b) {
        var x = key(a), y = key(b);
        var order = typeof x === 'number' ? x - y : x.localeCompare(y, undefined, { numeric: true });
        return direction === 'ascending' ? order : -order;
      });
      sorted.forEach(function (row) { body.appendChild(row); });
    });
  });
  apply();
})();
`;
