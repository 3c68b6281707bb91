/// The report page's own style sheet and script: static text, the same in every report,
/// allowed by the page's Content-Security-Policy through their SHA-256 hashes (so no other
/// script or style, and no network request, can run even if escaping ever failed).
enum HTMLReportAssets {
    static let style = """
        body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
        header,section{padding:12px 24px}
        header{background:#1d2330;color:#f6f7f9}
        h1{font-size:20px;margin:0 0 6px}
        h2{font-size:16px;margin:18px 0 6px}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0}
        dl.facts dt{color:#a9b3c6}
        dl.facts dd{margin:0}
        .filters{display:flex;gap:10px;align-items:center;margin-bottom:8px}
        table{border-collapse:collapse;background:#fff;width:100%}
        th,td{border-bottom:1px solid #e1e4ea;padding:4px 8px;text-align:left;white-space:nowrap}
        th{cursor:pointer;background:#eef0f4;user-select:none}
        th.sorted-asc::after{content:" ▲"}
        th.sorted-desc::after{content:" ▼"}
        td.num{text-align:right;font-variant-numeric:tabular-nums}
        tr.sev-error td:first-child{border-left:4px solid #c62828}
        tr.sev-warn td:first-child{border-left:4px solid #ef8f00}
        tr.sev-info td:first-child{border-left:4px solid #1e6fd9}
        article.conn{background:#fff;border:1px solid #e1e4ea;border-radius:6px;margin:12px 0;padding:8px 12px}
        .muted{color:#6b7385}
        svg.seq{display:block;max-width:100%;height:auto;font:12px ui-monospace,"DejaVu Sans Mono",monospace}
        .lane-head{fill:#eef0f4;stroke:#8993a6}
        .lane-title{font-weight:600;fill:#1d2330}
        .lifeline{stroke:#8993a6;stroke-dasharray:4 3}
        .msg line{stroke:#1d2330;stroke-width:1.3}
        .msg .head{fill:#1d2330}
        .msg text{fill:#1d2330}
        .msg[tabindex]{cursor:pointer}
        .msg[tabindex]:hover text,.msg.selected text{fill:#1e6fd9;text-decoration:underline}
        .msg.http line{stroke:#5b3cc4}.msg.http .head{fill:#5b3cc4}
        .msg.switch text{font-weight:700}
        .msg.control line{stroke:#7a8499;stroke-dasharray:3 2}
        .msg.close line{stroke:#a0522d}.msg.close .head{fill:#a0522d}
        .msg.h2 line{stroke:#00796b}.msg.h2 .head{fill:#00796b}
        .msg.tls line{stroke:#546e7a}
        .switch-band rect{fill:#ffe9a8;stroke:#d4a000}
        .switch-band text{font-weight:700;fill:#5a4300}
        .finding circle,.finding rect{stroke:#fff}
        .finding.sev-error rect{fill:#c62828}.finding.sev-warn rect{fill:#ef8f00}.finding.sev-info rect{fill:#1e6fd9}
        .finding.sev-error circle{fill:#c62828}.finding.sev-error text{fill:#c62828}
        .finding.sev-warn circle{fill:#ef8f00}.finding.sev-warn text{fill:#a35f00}
        .finding.sev-info circle{fill:#1e6fd9}.finding.sev-info text{fill:#1e6fd9}
        .gap-break{fill:#fff}.gap-zigzag{fill:none;stroke:#c62828;stroke-width:1.5}.gap text{fill:#c62828}
        .idle-band{fill:#f0f1f4}.idle-label{fill:#6b7385;font-style:italic}
        .elided rect{fill:#f0f1f4;stroke:#b8bfcc;stroke-dasharray:4 3}.elided text{fill:#6b7385}
        .t{fill:#8993a6;font-size:10px}
        .note{fill:#6b7385;font-style:italic}
        .seq-body{display:flex;gap:16px;align-items:flex-start}
        .seq-body svg.seq{flex:0 1 auto}
        .details{flex:1 1 320px;min-width:260px;position:sticky;top:8px}
        pre.detail{margin:0;background:#f0f1f4;border-left:3px solid #1e6fd9;padding:8px;white-space:pre-wrap;word-break:break-all;max-height:360px;overflow:auto}
        .waterfall{margin:6px 0 4px;overflow-x:auto}
        .waterfall h3{font-size:14px;margin:6px 0}
        table.wf{table-layout:fixed;width:100%;min-width:1090px;font:12px ui-monospace,"DejaVu Sans Mono",monospace}
        table.wf th,table.wf td{padding:1px 6px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;border-bottom:1px solid #f0f1f4}
        table.wf th{cursor:default;font-weight:600}
        .wf-label{display:block;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
        table.wf th.wf-axis,table.wf td.wf-bar{padding:0 8px}
        table.wf svg{display:block}
        col.wf-c-id{width:64px}col.wf-c-status{width:120px}col.wf-c-bytes{width:150px}
        col.wf-c-start{width:80px}col.wf-c-time{width:80px}col.wf-c-bar{width:496px}
        td.wf-id,td.wf-start,td.wf-time,td.wf-bytes{text-align:right;font-variant-numeric:tabular-nums}
        tr.wf-row{cursor:pointer}
        tr.wf-row:hover td,tr.wf-row.selected td{background:#eef4fd}
        .wf-wait{fill:#9fd3cc}.wf-receive{fill:#00796b}
        tr.wf-reset .wf-receive,tr.wf-reset .wf-wait{fill:#c62828}tr.wf-unfinished .wf-wait{fill:#b8bfcc}
        tr.wf-reset td.wf-status{color:#c62828}
        .wf-tick{fill:#6b7385;font-size:10px}.wf-grid{stroke:#8993a6}
        .details.wf-details{position:static;margin-bottom:8px}
        .idle.busy .idle-band{fill:#e3f2ef}.idle.busy .idle-label{fill:#00695c}
        ul.findings{margin:4px 0;padding-left:20px}
        li.sev-error{color:#c62828}li.sev-warn{color:#a35f00}li.sev-info{color:#1e6fd9}
        .fix{color:#1d2330;display:block}
        """

    /// Sorting, filtering and the click-to-see details. It reads the page's own
    /// attributes and `textContent`; it never builds markup from strings.
    static let script = """
        (function () {
          'use strict';
          var table = document.getElementById('conn-table');
          if (!table) { return; }
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          var text = document.getElementById('filter-text');
          var protocol = document.getElementById('filter-protocol');
          var severity = document.getElementById('filter-severity');
          var shown = document.getElementById('shown-count');
          function apply() {
            var query = text.value.toLowerCase();
            var wanted = protocol.value;
            var least = parseInt(severity.value, 10);
            var count = 0;
            var visibleTargets = {};
            rows.forEach(function (row) {
              var ok = (query === '' || row.getAttribute('data-text').indexOf(query) >= 0) &&
                (wanted === '' || row.getAttribute('data-protocol') === wanted) &&
                parseInt(row.getAttribute('data-rank'), 10) >= least;
              row.hidden = !ok;
              if (ok) { count += 1; visibleTargets[row.getAttribute('data-target')] = true; }
            });
            Array.prototype.forEach.call(document.querySelectorAll('article.conn'), function (article) {
              article.hidden = !visibleTargets[article.id];
            });
            shown.textContent = String(count);
          }
          [text, protocol, severity].forEach(function (control) {
            control.addEventListener('input', apply);
            control.addEventListener('change', apply);
          });
          Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
            header.addEventListener('click', function () {
              var ascending = !header.classList.contains('sorted-asc');
              Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
                cell.classList.remove('sorted-asc', 'sorted-desc');
              });
              header.classList.add(ascending ? 'sorted-asc' : 'sorted-desc');
              var numeric = header.getAttribute('data-type') === 'num';
              rows.sort(function (a, b) {
                var x = a.cells[column].getAttribute('data-value');
                var y = b.cells[column].getAttribute('data-value');
                var order = numeric ? parseFloat(x) - parseFloat(y) : (x < y ? -1 : (x > y ? 1 : 0));
                return ascending ? order : -order;
              });
              rows.forEach(function (row) { body.appendChild(row); });
            });
          });
          function show(item) {
            var article = item.closest('article');
            var target = document.getElementById(item.getAttribute('data-detail'));
            if (!article || !target) { return; }
            Array.prototype.forEach.call(article.querySelectorAll('pre.detail'), function (pre) {
              pre.hidden = pre !== target || !pre.hidden;
            });
            Array.prototype.forEach.call(article.querySelectorAll('.selected'), function (other) {
              other.classList.remove('selected');
            });
            if (!target.hidden) { item.classList.add('selected'); }
          }
          document.addEventListener('click', function (event) {
            var item = event.target.closest && event.target.closest('[data-detail]');
            if (item) { show(item); }
          });
          document.addEventListener('keydown', function (event) {
            if (event.key !== 'Enter' && event.key !== ' ') { return; }
            var item = event.target.closest && event.target.closest('[data-detail]');
            if (item) { event.preventDefault(); show(item); }
          });
          apply();
        })();
        """
}
