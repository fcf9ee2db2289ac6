# SPDX-License-Identifier: GPL-2.0
"""The real-OS part of analysis/reduce: Linux under unmodified QEMU on each
configuration (tests/qemu/bench, results/realos.csv; schema in
bench/README.md).  One boot per configuration, so one value per
measurement: no medians.

Writes OUTDIR/realos-*.dat (analysis/realos*.gp), tab-realos.tex (times),
tab-realos-counts.tex (kvmlab's and the in-tree KVM's counters per boot,
per context switch, per fork+exec) and the ro* macros of numbers.tex;
every macro is "n/a" when the CSV, the configuration or the value is
missing, so the paper builds from whatever was measured."""
import csv
import os
from collections import defaultdict

# the programs' sweeps: table columns (processes at 0 KiB) and the one
# working-set point (8 processes, 64 KiB) every configuration runs
TAB_PROCS = [2, 8, 32, 64]
TEXPROCS = {2: "Two", 8: "Eight", 32: "ThirtyTwo", 64: "SixtyFour"}
BIG = (8, 64)
REASONS = ["io_exits", "mmio_exits", "halt_exits", "irq_exits", "cr_exits", "npf_exits"]
# counters of the counts table: (counter, column heading)
COUNTS = [("exits", "Exits"), ("pf_fixed", "Faults fixed"),
          ("cr3_switch", "CR3 switches"), ("root_reused", "Roots reused"),
          ("mmu_shadow_zapped", "Pages zapped"), ("mmu_flooded", "Flooded")]
TEXCOUNT = {"exits": "Exits", "pf_fixed": "Faults", "cr3_switch": "Switches",
            "root_reused": "Reused", "mmu_shadow_zapped": "Zapped",
            "mmu_flooded": "Flooded"}
PHASES = [("boot", "boot", "Boot"), ("latctx", "switch", "Lat"),
          ("forkexec", "fork+exec", "Fork")]


def params(s):
    return dict(kv.split("=", 1) for kv in s.split()) if s else {}


class RealOS:
    """The rows of results/realos.csv, by configuration."""

    def __init__(self, path):
        self.lat = defaultdict(dict)	# cfg -> (procs, kib) -> (us, rounds, batches)
        self.spread = defaultdict(dict)	# cfg -> (procs, kib) -> [min us, max us]
        self.boot = {}			# cfg -> s
        self.fork = {}			# cfg -> (us, iterations)
        self.count = defaultdict(dict)	# (cfg, phase) -> counter -> value
        self.present = os.path.exists(path)
        if not self.present:
            return
        with open(path) as f:
            for r in csv.DictReader(f):
                cfg, ph, m, v = r["config"], r["phase"], r["metric"], float(r["value"])
                p = params(r["params"])
                if m == "userspace_s":
                    self.boot[cfg] = v
                elif m == "switch_us":
                    self.lat[cfg][(int(p["procs"]), int(p["size_kb"]))] = \
                        (v, int(p.get("rounds", 0)), int(p.get("batches", 1)))
                elif m in ("switch_us_min", "switch_us_max"):
                    k = (int(p["procs"]), int(p["size_kb"]))
                    self.spread[cfg].setdefault(k, [None, None])[m == "switch_us_max"] = v
                elif m == "us_per_iter":
                    self.fork[cfg] = (v, int(p["iterations"]))
                elif m.startswith("counter."):
                    self.count[(cfg, ph)][m[len("counter."):]] = v

    def configs(self, order):
        have = set(self.boot) | set(self.lat) | set(self.fork) | {k[0] for k in self.count}
        return [c for c in order if c in have] + sorted(have - set(order))

    def passes(self, cfg):
        """token passes the latctx phase timed: rounds x processes, summed"""
        n = sum(p * r * b for (p, _), (_, r, b) in self.lat[cfg].items())
        return n or None

    def per(self, cfg, phase):
        """the unit a phase's counts are divided by (1 for the boot)"""
        if phase == "boot":
            return 1
        if phase == "latctx":
            return self.passes(cfg)
        return self.fork[cfg][1] if cfg in self.fork else None

    def counter(self, cfg, phase, name):
        """counter per unit of the phase, or None (no phase, no counter)"""
        c = self.count.get((cfg, phase))
        n = self.per(cfg, phase)
        if not c or name not in c or not n:
            return None
        return c[name] / n

    def sweep(self, cfg):
        """(procs, sizes, rounds, batches, iterations) the configuration ran"""
        lat = self.lat.get(cfg, {})
        procs = sorted({p for p, _ in lat})
        sizes = sorted({w for _, w in lat})
        rounds = sorted({r for _, r, _ in lat.values()})
        batches = sorted({b for _, _, b in lat.values()})
        return procs, sizes, rounds, batches, self.fork[cfg][1] if cfg in self.fork else None


def join(v):
    return ", ".join(str(x) for x in v) if v else "n/a"


def reduce_realos(path, out, tex, summary, fmt, order, label, texname, ref, meta):
    R = RealOS(path)
    configs = R.configs(order)
    tex.macro("roConfigs", str(len(configs)))
    tex.macro("roWall", meta.get("realos-wall-s", "n/a") or "n/a")

    # the sweeps: the full one (the reference's) and flush's shortened one
    for name, cfg in (("", ref), ("Flush", "kvmlab-flush")):
        procs, sizes, rounds, batches, iters = R.sweep(cfg)
        tex.macro(f"ro{name}Procs", join(procs))
        tex.macro(f"ro{name}Sizes", join(sizes))
        tex.macro(f"ro{name}Rounds", join(rounds))
        tex.macro(f"ro{name}Batches", join(batches))
        tex.macro(f"ro{name}Iters", str(iters) if iters else "n/a")

    # times
    def lat(cfg, p, w):
        v = R.lat.get(cfg, {}).get((p, w))
        return v[0] if v else None
    fork_ms = {c: R.fork[c][0] / 1000 for c in R.fork}
    for cfg in order:
        t = texname[cfg]
        tex.macro(f"roBoot{t}", fmt(R.boot.get(cfg)))
        for p in TAB_PROCS:
            tex.macro(f"roLat{TEXPROCS[p]}{t}", fmt(lat(cfg, p, 0)))
        tex.macro(f"roLatBig{t}", fmt(lat(cfg, *BIG)))
        tex.macro(f"roFork{t}", fmt(fork_ms.get(cfg)))
        r2, f2 = lat(ref, 2, 0), fork_ms.get(ref)
        tex.macro(f"roLatRel{t}", fmt(lat(cfg, 2, 0) / r2) if lat(cfg, 2, 0) and r2 else "n/a")
        tex.macro(f"roForkRel{t}", fmt(fork_ms[cfg] / f2) if cfg in fork_ms and f2 else "n/a")
        for phase, _, tp in PHASES:
            for name in TEXCOUNT:
                tex.macro(f"ro{tp}{TEXCOUNT[name]}{t}", fmt(R.counter(cfg, phase, name)))
        sw, ru = R.counter(cfg, "latctx", "cr3_switch"), R.counter(cfg, "latctx", "root_reused")
        tex.macro(f"roLatReusedPct{t}", f"{100 * ru / sw:.0f}" if sw and ru is not None else "n/a")

    def cell(v):
        return fmt(v) if v is not None else "--"
    with open(os.path.join(out, "tab-realos.tex"), "w") as f:
        f.write("\\begin{tabular}{lrrrrrrr}\n\\toprule\n"
                "& Boot & \\multicolumn{4}{c}{lat\\_ctx, 0 KiB ($\\mu$s/switch)} & "
                f"{BIG[0]} procs, & Fork+exec\\\\\n"
                "Configuration & (s) & " + " & ".join(f"{p} procs" for p in TAB_PROCS) +
                f" & {BIG[1]} KiB & (ms)\\\\\n\\midrule\n")
        for cfg in configs:
            f.write(f"{label.get(cfg, cfg)} & {cell(R.boot.get(cfg))} & " +
                    " & ".join(cell(lat(cfg, p, 0)) for p in TAB_PROCS) +
                    f" & {cell(lat(cfg, *BIG))} & {cell(fork_ms.get(cfg))}\\\\\n")
        if not configs:
            f.write("\\multicolumn{8}{c}{not measured in this run}\\\\\n")
        f.write("\\bottomrule\n\\end{tabular}\n")
    with open(os.path.join(out, "tab-realos-counts.tex"), "w") as f:
        f.write("\\begin{tabular}{ll" + "r" * len(COUNTS) + "}\n\\toprule\nPer & Configuration & " +
                " & ".join(h for _, h in COUNTS) + "\\\\\n\\midrule\n")
        for phase, unit, _ in PHASES:
            for cfg in configs:
                f.write(f"{unit} & {label.get(cfg, cfg)} & " +
                        " & ".join(cell(R.counter(cfg, phase, n)) for n, _ in COUNTS) + "\\\\\n")
            if phase != PHASES[-1][0] and configs:
                f.write("\\midrule\n")
        if not configs:
            f.write(f"\\multicolumn{{{2 + len(COUNTS)}}}{{c}}{{not measured in this run}}\\\\\n")
        f.write("\\bottomrule\n\\end{tabular}\n")

    # figures: switch time (median batch, fastest, slowest) against
    # processes, one file per working set and configuration; exits by
    # reason per switch and per fork+exec
    def num(v):
        return "NaN" if v is None else str(v)
    for cfg in order:
        for w in (0, 16, 64):
            pts = sorted((p, v[0]) for (p, ww), v in R.lat.get(cfg, {}).items() if ww == w)
            sp = R.spread.get(cfg, {})
            with open(os.path.join(out, f"realos-latctx-{w}-{cfg}.dat"), "w") as f:
                f.write("# procs switch_us min_us max_us\n")
                f.write("".join(f"{p} {v} " + " ".join(num(x) for x in sp.get((p, w), [None, None])) + "\n"
                                for p, v in pts) or "NaN NaN NaN NaN\n")
    for phase in ("latctx", "forkexec"):
        with open(os.path.join(out, f"realos-reasons-{phase}.dat"), "w") as f:
            f.write("config io mmio halt irq cr npf other\n")
            for cfg in configs:
                tot = R.counter(cfg, phase, "exits")
                if tot is None:
                    continue
                v = [R.counter(cfg, phase, x) or 0.0 for x in REASONS]
                f.write(f"\"{label.get(cfg, cfg)}\" " + " ".join(f"{x:.4f}" for x in v) +
                        f" {max(tot - sum(v), 0):.4f}\n")
    with open(os.path.join(out, "realos-time.dat"), "w") as f:
        f.write("config boot_s forkexec_ms\n")
        for cfg in configs:
            b, fk = R.boot.get(cfg), fork_ms.get(cfg)
            f.write(f"\"{label.get(cfg, cfg)}\" {b if b is not None else 'NaN'} "
                    f"{fk if fk is not None else 'NaN'}\n")

    summary.append("")
    if not configs:
        summary.append(f"Real OS (Linux under QEMU): not measured ({path} missing or empty)")
        return
    summary.append("Real OS (Linux under QEMU, one boot per configuration; guest clock under icount):")
    summary.append(f"{'config':13} {'boot s':>7} {'2p us':>8} {'64p us':>8} {'fork ms':>8} "
                   f"{'exits/sw':>9} {'faults/sw':>9} {'zapped/sw':>9}")

    def s(v, f="{:.2f}"):
        return f.format(v) if v is not None else "n/a"
    for cfg in configs:
        summary.append(f"{cfg:13} {s(R.boot.get(cfg)):>7} {s(lat(cfg, 2, 0)):>8} {s(lat(cfg, 64, 0)):>8} "
                       f"{s(fork_ms.get(cfg)):>8} {s(R.counter(cfg, 'latctx', 'exits')):>9} "
                       f"{s(R.counter(cfg, 'latctx', 'pf_fixed')):>9} "
                       f"{s(R.counter(cfg, 'latctx', 'mmu_shadow_zapped')):>9}")
