/// The style sheet both HTML reports inline. A compile-time constant: the only markup either
/// page writes without escaping. System fonts only (nothing is fetched); every colour has a text
/// label or icon beside it; print rules drop the backgrounds and keep tables whole.
enum ReportStyle {
  static let css: StaticString = """
    :root{--ok:#1b6e34;--ok-bg:#e3f4e7;--warn:#7a4d00;--warn-bg:#fff1d1;--bad:#a01a1a;--bad-bg:#fde4e4;--info:#1f4e8c;--info-bg:#e4eefb;--ink:#1d232b;--muted:#56606c;--line:#cfd6de;--l1:#e6f2ea;--l2:#c4e3cd;--l3:#92cca3;--l4:#5fb27a}
    *{box-sizing:border-box}
    body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#f6f7f9}
    header,main,footer{max-width:1440px;margin:0 auto;padding:0 16px}
    header{padding-top:16px}
    h1{font-size:1.6rem;margin:0 0 4px}
    h2{font-size:1.25rem;margin:0 0 8px;border-bottom:2px solid var(--line);padding-bottom:4px}
    h3{font-size:1.05rem;margin:14px 0 6px}
    h4{font-size:1rem;margin:0 0 4px}
    p{margin:4px 0 8px}
    .sub{color:var(--muted);margin:0 0 12px}
    section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin:0 0 16px}
    .tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(210px,1fr));gap:10px;margin:0}
    .tile{border:1px solid var(--line);border-left-width:6px;border-radius:6px;padding:8px 10px}
    .tile dt{font-weight:600;color:var(--muted);font-size:.85rem;text-transform:uppercase;letter-spacing:.03em}
    .tile dd{margin:2px 0 0}
    .tile .big{font-size:1.2rem;font-weight:700}
    .ok{border-left-color:var(--ok)}.warn{border-left-color:var(--warn)}.bad{border-left-color:var(--bad)}.info{border-left-color:var(--info)}
    .badge{display:inline-block;border-radius:4px;padding:0 6px;font-weight:700;font-size:.85rem;border:1px solid currentColor}
    .badge.ok{color:var(--ok);background:var(--ok-bg)}.badge.warn{color:var(--warn);background:var(--warn-bg)}
    .badge.bad{color:var(--bad);background:var(--bad-bg)}.badge.info{color:var(--info);background:var(--info-bg)}
    table{border-collapse:collapse;width:100%;margin:6px 0 10px;font-size:.9rem}
    caption{text-align:left;font-weight:600;padding:4px 0;color:var(--muted)}
    th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
    thead th{background:#eef1f4}
    td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
    .scroll{overflow-x:auto}
    table.grid{font-size:.8rem;width:auto}
    table.grid td{text-align:center;min-width:2.4em;padding:3px 3px;font-variant-numeric:tabular-nums}
    table.grid th[scope=col]{font-weight:600;text-align:center;white-space:nowrap}
    table.grid th[scope=row]{white-space:nowrap}
    td.l0{color:var(--muted)}td.l1{background:var(--l1)}td.l2{background:var(--l2)}td.l3{background:var(--l3)}td.l4{background:var(--l4)}
    td.we,th.we{border-left:2px solid #9aa6b2}
    .mark{display:inline-block;margin-left:0;font-size:.75rem;font-weight:700;border-radius:3px;padding:0 4px}
    .mark.bad{color:var(--bad);background:var(--bad-bg)}.mark.warn{color:var(--warn);background:var(--warn-bg)}
    ul.findings{list-style:none;padding:0;margin:0}
    ul.findings li{border-left:4px solid var(--line);padding:4px 10px;margin:0 0 8px}
    ul.findings li.bad{border-left-color:var(--bad)}ul.findings li.warn{border-left-color:var(--warn)}ul.findings li.info{border-left-color:var(--info)}
    code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.85em;background:#f0f2f5;padding:0 3px;border-radius:3px}
    figure{margin:6px 0 10px}
    figcaption{color:var(--muted);font-size:.85rem}
    svg{max-width:100%;height:auto}
    svg text{font:11px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:#1d232b}
    svg .axis{stroke:#56606c;stroke-width:1}
    svg .s0{fill:#2f6db5}svg .s1{fill:#c0392b}svg .s2{fill:#7d8b99}svg .s3{fill:#d68910}svg .s4{fill:#1b6e34}
    svg .ok{fill:#1b6e34}svg .bad{fill:#a01a1a}svg .link{stroke:#1b6e34;stroke-width:2}svg .broken{stroke:#a01a1a;stroke-width:2;stroke-dasharray:4 3}
    .legend{list-style:none;padding:0;margin:4px 0;display:flex;flex-wrap:wrap;gap:12px;font-size:.85rem}
    .sw{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px;border:1px solid #0003}
    .sw.s0{background:#2f6db5}.sw.s1{background:#c0392b}.sw.s2{background:#7d8b99}.sw.s3{background:#d68910}.sw.s4{background:#1b6e34}
    footer{color:var(--muted);font-size:.8rem;padding-bottom:24px}
    .skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px}
    @media print{
      body{background:#fff;font-size:11pt}
      section{border:none;border-radius:0;padding:0;margin:0 0 12pt;page-break-inside:auto}
      h2{page-break-after:avoid}
      tr,li,figure{page-break-inside:avoid}
      .scroll{overflow:visible}
      .skip{display:none}
      table.grid{font-size:7pt}
      td.l1,td.l2,td.l3,td.l4{-webkit-print-color-adjust:exact;print-color-adjust:exact}
      header,main,footer{max-width:none;padding:0}
    }
    """
}
