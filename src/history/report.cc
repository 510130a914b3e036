#include "history/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "history/summary.h"

namespace handoff::history {
namespace {

constexpr double k_label_width = 280;
constexpr double k_plot_width = 880;
constexpr double k_row_height = 20;
constexpr double k_group_height = 22;
constexpr double k_axis_height = 28;

// default-src 'none': the page may not load anything, whatever a command
// line or task name in it says.
constexpr const char* k_head = R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
)";

constexpr const char* k_style = R"(<style>
body { font: 13px/1.4 system-ui, sans-serif; margin: 16px 24px; color: #222; background: #fff; }
h1 { font-size: 18px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 20px 0 6px; }
.meta span { margin-right: 18px; } .meta b { font-weight: 600; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
svg .group { font-weight: 600; } svg .tick { stroke: #ddd; } svg .axis { stroke: #999; }
.ok { fill: #2e9d57; } .failed { fill: #d64541; } .timed-out { fill: #e0a100; } .killed { fill: #7d3cb5; }
rect.current { stroke: #000; stroke-width: 2; }
.legend span { display: inline-block; margin-right: 14px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -2px; }
i.ok { background: #2e9d57; } i.failed { background: #d64541; } i.timed-out { background: #e0a100; } i.killed { background: #7d3cb5; }
table { border-collapse: collapse; margin-top: 6px; } td, th { padding: 2px 8px; text-align: left; border-bottom: 1px solid #eee; }
td.n, th.n { text-align: right; } td.cmd { font-family: ui-monospace, monospace; word-break: break-all; }
#tip { position: fixed; display: none; pointer-events: none; white-space: pre; background: #222; color: #fff;
       padding: 6px 8px; border-radius: 4px; font: 12px ui-monospace, monospace; max-width: 640px; overflow: hidden; }
</style>
)";

// The tooltip: the hovered element's data-tip, set with textContent (never as
// HTML); data-ready on <body> says the script ran to its end.
constexpr const char* k_script = R"(<script>
(function () {
  var tip = document.getElementById("tip");
  document.querySelectorAll("[data-tip]").forEach(function (el) {
    el.addEventListener("mousemove", function (ev) {
      tip.textContent = el.getAttribute("data-tip");
      tip.style.display = "block";
      tip.style.left = (ev.clientX + 14) + "px";
      tip.style.top = (ev.clientY + 14) + "px";
    });
    el.addEventListener("mouseleave", function () { tip.style.display = "none"; });
  });
  document.body.setAttribute("data-ready", "true");
})();
</script>
)";

// The outcome's name with '-' for ' ' ("timed out" -> "timed-out").
std::string css_class(Outcome o) {
  std::string name(to_string(o));
  std::replace(name.begin(), name.end(), ' ', '-');
  return name;
}

std::string bytes_or_dash(long long n) { return n < 0 ? "-" : format_bytes(n); }

/// "1.5 s" with as many decimals as the step needs.
std::string tick_label(double value, double step) {
  int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  return fmt::format("{:.{}f} s", value, decimals);
}

std::string process_tip(const engine::ProcessRecord& p, double t0) {
  std::string tip = fmt::format(
      "{}\n{}\npid {}  exit {}{}  {}\nstart +{:.3f} s  duration {}\nlog {}  read {}  written {}", p.task,
      p.command, p.pid, p.exit_code, p.signal ? fmt::format(" (signal {})", p.signal) : "",
      to_string(outcome(p)), p.start - t0, format_duration(p.end - p.start), format_bytes(p.log_bytes),
      bytes_or_dash(p.read_bytes), bytes_or_dash(p.write_bytes));
  return tip;
}

std::string short_command(const std::string& command) {
  if (command.size() <= 44) return command;
  size_t cut = 41;
  while (cut > 0 && (static_cast<unsigned char>(command[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 boundary
  return command.substr(0, cut) + "...";
}

/// The Gantt chart: a header row per task, one row per process under it.
std::string timeline(const engine::RunRecord& r) {
  double t0 = r.start;
  double t1 = r.end;
  for (const auto& p : r.processes) {
    t0 = std::min(t0, p.start);
    t1 = std::max(t1, p.end);
  }
  double span = std::max(t1 - t0, 1e-3);
  auto x_of = [&](double t) { return k_label_width + (t - t0) / span * k_plot_width; };

  // Tasks in the order their first process started; processes in record order.
  std::vector<std::string> order;
  std::map<std::string, std::vector<size_t>> rows;
  std::vector<size_t> by_start(r.processes.size());
  for (size_t i = 0; i < by_start.size(); ++i) by_start[i] = i;
  std::stable_sort(by_start.begin(), by_start.end(),
                   [&](size_t a, size_t b) { return r.processes[a].start < r.processes[b].start; });
  for (size_t i : by_start) {
    const auto& task = r.processes[i].task;
    if (!rows.count(task)) order.push_back(task);
    rows[task].push_back(i);
  }
  for (auto& [task, list] : rows) std::sort(list.begin(), list.end());
  std::map<std::string, const engine::TaskRecord*> task_records;
  for (const auto& t : r.tasks) task_records[t.name] = &t;

  double height = k_axis_height + 4;
  for (const auto& task : order)
    height += k_group_height + k_row_height * static_cast<double>(rows[task].size());
  std::string body;
  double y = k_axis_height;
  for (const auto& task : order) {
    std::string label = task;
    if (auto it = task_records.find(task); it != task_records.end()) {
      label += fmt::format("  (exit {}, {})", it->second->exit_code,
                           format_duration(it->second->end - it->second->start));
    }
    body += fmt::format("<text class=\"group\" x=\"4\" y=\"{:.1f}\">{}</text>\n", y + 15, html_escape(label));
    y += k_group_height;
    for (size_t i : rows[task]) {
      const auto& p = r.processes[i];
      double x = x_of(p.start);
      double w = std::max(1.5, x_of(std::max(p.end, p.start)) - x);
      std::string tip = process_tip(p, t0);
      body += fmt::format("<text x=\"16\" y=\"{:.1f}\">{}</text>\n", y + 14,
                          html_escape(fmt::format("{} [{}]", short_command(p.command), p.pid)));
      body += fmt::format(
          "<rect data-process=\"{}\" class=\"bar {}\" x=\"{:.2f}\" y=\"{:.1f}\" width=\"{:.2f}\" "
          "height=\"{:.1f}\" "
          "rx=\"2\" data-tip=\"{}\"><title>{}</title></rect>\n",
          i, css_class(outcome(p)), x, y + 3, w, k_row_height - 6, html_escape(tip), html_escape(tip));
      y += k_row_height;
    }
  }
  std::string axis;
  double step = tick_step(span);
  for (double t = 0; t <= span + step * 1e-6; t += step) {
    double x = x_of(t0 + t);
    axis +=
        fmt::format("<line class=\"tick\" x1=\"{0:.2f}\" x2=\"{0:.2f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\"/>\n", x,
                    k_axis_height - 6, height);
    axis += fmt::format("<text x=\"{:.2f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", x,
                        k_axis_height - 10, tick_label(t, step));
  }
  axis += fmt::format("<line class=\"axis\" x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\"/>\n", k_label_width,
                      k_label_width + k_plot_width, k_axis_height - 6);
  return fmt::format(
      "<svg id=\"timeline\" width=\"{0}\" height=\"{1:.0f}\" viewBox=\"0 0 {0} {1:.0f}\" role=\"img\" "
      "aria-label=\"timeline of every process\">\n{2}{3}</svg>\n",
      k_label_width + k_plot_width + 20, height, axis, body);
}

/// Bars of the recent runs' durations, the current one outlined.
std::string recent_chart(const Run& current, const std::vector<Run>& recent) {
  if (recent.empty()) return "<p>No other runs.</p>\n";
  constexpr double w = 720, h = 150, top = 14, bottom = 24, left = 60;
  double longest = 1e-3;
  for (const auto& r : recent) longest = std::max(longest, r.duration());
  double slot = (w - left) / static_cast<double>(recent.size());
  double bar = std::min(36.0, slot * 0.8);
  std::string out = fmt::format(
      "<svg id=\"recent\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" role=\"img\" "
      "aria-label=\"durations of recent runs\">\n",
      w, h);
  out += fmt::format("<text x=\"0\" y=\"{}\">{}</text>\n", top + 4, html_escape(format_duration(longest)));
  out += fmt::format("<text x=\"0\" y=\"{}\">0 s</text>\n", h - bottom);
  out += fmt::format("<line class=\"axis\" x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\"/>\n", left, w,
                     h - bottom);
  for (size_t i = 0; i < recent.size(); ++i) {
    const auto& r = recent[i];
    double bh = std::max(1.0, r.duration() / longest * (h - top - bottom));
    double x = left + slot * static_cast<double>(i) + (slot - bar) / 2;
    std::string tip = fmt::format("{}\nstage {}  exit {}\nduration {}", r.record.id, r.record.stage,
                                  r.record.exit_code, format_duration(r.duration()));
    bool is_current = r.record.id == current.record.id;
    out += fmt::format(
        "<rect data-run=\"{}\" class=\"{}{}\" x=\"{:.2f}\" y=\"{:.2f}\" width=\"{:.2f}\" height=\"{:.2f}\" "
        "data-tip=\"{}\"><title>{}</title></rect>\n",
        html_escape(r.record.id), r.record.exit_code == 0 ? "ok" : "failed", is_current ? " current" : "", x,
        h - bottom - bh, bar, bh, html_escape(tip), html_escape(tip));
  }
  out += fmt::format("<text x=\"{}\" y=\"{}\">{} runs, oldest first; the outlined bar is this run</text>\n",
                     left, h - 6, recent.size());
  return out + "</svg>\n";
}

std::string process_table(const engine::RunRecord& r) {
  std::string out =
      "<table id=\"processes\">\n<tr><th>task</th><th class=\"n\">pid</th><th class=\"n\">start</th>"
      "<th class=\"n\">duration</th><th class=\"n\">exit</th><th>outcome</th><th class=\"n\">log</th>"
      "<th class=\"n\">read</th><th class=\"n\">written</th><th>command</th></tr>\n";
  for (const auto& p : r.processes) {
    out += fmt::format(
        "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">+{:.3f} s</td><td class=\"n\">{}</td>"
        "<td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td "
        "class=\"n\">{}</td>"
        "<td class=\"cmd\">{}</td></tr>\n",
        html_escape(p.task), p.pid, p.start - r.start, format_duration(p.end - p.start), p.exit_code,
        to_string(outcome(p)), format_bytes(p.log_bytes), bytes_or_dash(p.read_bytes),
        bytes_or_dash(p.write_bytes), html_escape(p.command));
  }
  return out + "</table>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

double tick_step(double span, int max_ticks) {
  if (!(span > 0)) return 1;
  double raw = span / std::max(1, max_ticks);
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * mag >= raw * (1 - 1e-9)) return m * mag;
  }
  return 10 * mag;
}

std::string render_report(const Run& run, const std::vector<Run>& recent) {
  const auto& r = run.record;
  std::map<Outcome, size_t> counts;
  for (const auto& p : r.processes) ++counts[outcome(p)];
  Bytes b = total_bytes(r);
  std::string out = k_head;
  out += fmt::format("<title>{}</title>\n", html_escape("handoff run " + r.id));
  out += k_style;
  out += "</head>\n<body>\n";
  out += fmt::format("<h1>handoff run {}</h1>\n", html_escape(r.id));
  out += fmt::format(
      "<p class=\"meta\"><span>stage <b>{}</b></span><span>start <b>{}</b> UTC</span><span>duration "
      "<b>{}</b></span>"
      "<span>exit code <b>{}</b></span><span>processes <b>{}</b></span><span>log <b>{}</b></span>"
      "<span>read <b>{}</b></span><span>written <b>{}</b></span></p>\n",
      html_escape(r.stage), engine::iso_utc(r.start), format_duration(run.duration()), r.exit_code,
      r.processes.size(), format_bytes(b.log), format_bytes(b.read), format_bytes(b.written));
  out += "<p class=\"legend\">";
  for (Outcome o : {Outcome::ok, Outcome::failed, Outcome::timed_out, Outcome::killed}) {
    out += fmt::format("<span><i class=\"{}\"></i>{} ({})</span>", css_class(o), to_string(o), counts[o]);
  }
  out += "</p>\n<h2>Timeline</h2>\n";
  out += r.processes.empty() ? std::string("<p>This run started no process.</p>\n") : timeline(r);
  out += fmt::format("<h2>Recent runs</h2>\n{}", recent_chart(run, recent));
  out += "<h2>Processes</h2>\n" + process_table(r);
  if (!run.archive.empty()) {
    out += fmt::format("<h2>Artifacts pushed ({})</h2>\n<table id=\"artifacts\">\n", run.artifacts.size());
    for (const auto& a : run.artifacts) {
      out += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td></tr>\n", html_escape(a.key),
                         format_bytes(a.size));
    }
    out += "</table>\n";
  }
  // Where it was read, as text: a store address is named, not linked.
  std::string where = run.source.rfind("s3://", 0) == 0 ? "the store, " + run.source.substr(5) : run.source;
  out += fmt::format("<p>Read from {}.</p>\n", html_escape(where));
  out += "<div id=\"tip\"></div>\n";
  out += k_script;
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace handoff::history
