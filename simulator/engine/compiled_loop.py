"""The compiled engine's chunk loop: every run of a chunk, one after another, in one
compiled function (see :mod:`.compiled_kernel` for what one run does and why).

Outputs go into arrays the caller allocates (one row per run) and into growing flat
logs of firings and ladder moves with per-run offsets. A run handed over to the SimPy
engine leaves zero-length logs and status ``HANDED_OVER``; its histogram counts are
only added when a run ends normally.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from simulator.engine.compiled_kernel import (
    HANDED_OVER,
    OK,
    QUEUE,
    ROUNDING,
    _bin,
    _delay,
    _reach,
    _rearm,
    _uniform,
)
from simulator.engine.compiled_native import call_native
from simulator.engine.compiled_tables import (
    A_CHOICE_START,
    A_CHOICE_STOP,
    A_IDLE,
    A_ROW,
    AF_EVERY,
    AF_IDLE,
    ASSIGN,
    D_PROGRAM,
    E_ADD,
    E_CHANCE,
    E_DELAY_KIND,
    E_DELAY_PROG,
    E_INTEGER,
    E_KIND,
    E_ROW,
    E_SLOT,
    E_TARGET,
    E_VALUE,
    EF_D1,
    EF_D2,
    EF_D3,
    EF_HI,
    EF_LO,
    EF_VALUE,
    O_CLOCK,
    O_COUNTER,
    O_EFF_START,
    O_EFF_STOP,
    O_ENABLED,
    O_HAZARD,
    O_ONCE,
    O_WHEN,
    O_WHEN_WEIGHT,
    S_SCHEDULED,
)

_INF = math.inf
_TICK, _ALARM, _TRIGGER, _SOURCE = 0, 1, 2, 3


@njit(cache=True, nogil=True)
def _grow(a: np.ndarray, need: int) -> np.ndarray:
    if need <= len(a):
        return a
    b = np.empty(max(need, 2 * len(a)), a.dtype)
    b[:len(a)] = a
    return b


@njit(cache=True, nogil=True, error_model="numpy")
def run_chunk(fn, n_slots, extra_programs,
              opt_i, eff_i, eff_f, hazards, ap_ptr, ap_idx, ah_ptr, ah_idx,
              pred_program, pred_terminal, act_i, act_f, choices,
              src_kind, src_index, src_first, order_row, row_offsets, row_sizes,
              state_slots, slot_state, edges, edge_start, hist_start, grid, ladder_slot,
              horizon, step, ticking, v0, block, root_words, start, max_events,
              reached_out, final_out, counts_out, n_events_out, lapsed_out, end_out,
              status_out, hist, ev_ptr, rung_ptr, ev_opt, ev_time, rung_val, rung_time):
    """Simulate every run of the chunk; returns the (possibly grown) four log arrays."""
    n_runs, n_model = v0.shape
    n_opt = opt_i.shape[0]
    n_pred = pred_program.shape[0]
    n_state = state_slots.shape[0]
    n_src = src_kind.shape[0]
    n_grid = grid.shape[0]
    tick_row = n_opt
    mem = np.zeros(n_slots)  # the run's state vector (slots, then run constants)
    hz = np.zeros((4, n_opt))  # per hazard: budget, rate, last refresh, due
    budget, lam, last, due = hz[0], hz[1], hz[2], hz[3]
    reached = np.full(n_pred, np.nan)
    row_pos = np.zeros(row_sizes.shape[0], np.int64)
    extra = np.zeros((row_sizes.shape[0], 4), np.uint64)
    extra_ready = np.zeros(row_sizes.shape[0], np.bool_)
    q_time, q_seq = np.zeros(QUEUE), np.zeros(QUEUE, np.int64)
    q_target = np.zeros(QUEUE, np.int64)
    src_time, src_rank = np.zeros(n_src), np.zeros(n_src, np.int64)
    keys = np.zeros(n_src)
    weights = np.zeros(max(choices.shape[0], 1))
    cur_bin = np.zeros(n_state, np.int64)
    seg_lo, seg_hi = np.zeros(n_grid + 1, np.int64), np.zeros(n_grid + 1, np.int64)
    seg_bin = np.zeros((n_grid + 1, n_state), np.int64)
    buf_opt = np.zeros(1024, np.int64)
    buf_time = np.zeros(1024)
    buf_rung, buf_rung_time = np.zeros(1024, np.int64), np.zeros(1024)
    alarm = np.zeros(2)
    alarm_int = np.zeros(4, np.int64)
    n_ev_total, n_rung_total = 0, 0
    ev_ptr[0], rung_ptr[0] = 0, 0
    for k in range(n_runs):
        run = start + k
        run_block = block[k]
        mem[:n_model] = v0[k]
        for e in range(extra_programs.shape[0]):
            mem[n_model + e] = call_native(fn[extra_programs[e]], mem)
        row_pos[:] = 0
        extra_ready[:] = False
        budget[:] = 0.0
        lam[:] = 0.0
        last[:] = 0.0
        due[:] = _INF
        reached[:] = np.nan
        for j in range(n_state):
            s = state_slots[j]
            cur_bin[j] = _bin(edges, edge_start[j], edge_start[j + 1], mem[s])
        n_seg, grid_next = 0, 0
        grid_due = grid[0] if n_grid else _INF
        n_ev, n_rung, lapsed, q_n, status = 0, 0, 0, 0, OK
        if ladder_slot >= 0:
            buf_rung[0], buf_rung_time[0] = int(mem[ladder_slot]), 0.0
            n_rung = 1
        alarm[0], alarm[1] = _INF, _INF
        alarm_int[0], alarm_int[1], alarm_int[2], alarm_int[3] = -1, 0, 0, 0
        done = False
        now = 0.0
        end_time = horizon
        # the run's random order of same-time sources (stable ranks of its keys)
        for s in range(n_src):
            keys[s] = _uniform(order_row, run_block, row_pos, row_offsets, row_sizes,
                               extra, extra_ready, root_words, run)
        for s in range(n_src):
            rank = 0
            for r in range(n_src):
                if keys[r] < keys[s] or (keys[r] == keys[s] and r < s):
                    rank += 1
            src_rank[s] = rank
            src_time[s] = src_first[s]
        for p in range(n_pred):
            if call_native(fn[pred_program[p]], mem) != 0.0:
                reached[p] = 0.0
                if pred_terminal[p]:
                    done = True
        if done:
            end_time = 0.0
        next_tick = step if ticking else _INF
        tick_count = 1
        if not done:
            for h in hazards:
                u = _uniform(opt_i[h, O_CLOCK], run_block, row_pos, row_offsets, row_sizes,
                             extra, extra_ready, root_words, run)
                budget[h] = -math.log(1.0 - u)
            if not _rearm(hazards, 0, hazards.shape[0], 0.0, fn, mem, hz, opt_i,
                          hazards, alarm, alarm_int):
                status = HANDED_OVER
        while not done and status == OK:
            # the next event: (time, priority, creation), as SimPy orders them
            best_t, kind, best_p, best_seq, which = next_tick, _TICK, 0, 0, -1
            if alarm_int[2] and (alarm[1] < best_t or (alarm[1] == best_t and best_p > 1)):
                best_t, kind, best_p, best_seq = alarm[1], _ALARM, 1, alarm_int[1]
            for j in range(q_n):
                t = q_time[j]
                if t < best_t or (t == best_t and (best_p > 1 or (
                        best_p == 1 and q_seq[j] < best_seq))):
                    best_t, kind, best_p, best_seq, which = t, _TRIGGER, 1, q_seq[j], j
            for s in range(n_src):
                t = src_time[s]
                if t < best_t or (t == best_t and best_p > 1 and 2 + src_rank[s] < best_p):
                    best_t, kind, best_p, which = t, _SOURCE, 2 + src_rank[s], s
            if best_t >= horizon:
                break  # the end of the horizon comes first at equal times
            now = best_t
            mem[0] = now
            fire = -1
            if kind == _TICK:
                done = _reach(ap_ptr, ap_idx, tick_row, fn, pred_program, pred_terminal,
                              reached, mem, now)
                if done:
                    end_time = now
                    break
                if not _rearm(ah_idx, ah_ptr[tick_row], ah_ptr[tick_row + 1], now, fn, mem,
                              hz, opt_i, hazards, alarm, alarm_int):
                    status = HANDED_OVER
                    break
                tick_count += 1
                nt = tick_count * step - now
                next_tick = now + (nt if nt > 0.0 else 0.0)
                continue
            if kind == _ALARM:
                alarm_int[2] = 0
                fire = alarm_int[0]
            elif kind == _TRIGGER:
                target = q_target[which]
                q_n -= 1
                q_time[which], q_seq[which], q_target[which] = (
                    q_time[q_n], q_seq[q_n], q_target[q_n])
                w = opt_i[target, O_WHEN]
                if opt_i[target, O_ENABLED] and (w < 0 or call_native(
                        fn[w], mem) != 0.0) and not (
                        opt_i[target, O_ONCE] and mem[opt_i[target, O_COUNTER]] > 0.0):
                    fire = target
                else:
                    lapsed += 1
            elif src_kind[which] == S_SCHEDULED:
                src_time[which] = _INF
                i = src_index[which]
                w = opt_i[i, O_WHEN]
                if (w < 0 or call_native(fn[w], mem) != 0.0) and not (
                        opt_i[i, O_ONCE] and mem[opt_i[i, O_COUNTER]] > 0.0):
                    fire = i
                else:
                    lapsed += 1
            else:
                a = src_index[which]
                total = act_f[a, AF_IDLE]
                if total != total:
                    total = call_native(fn[act_i[a, A_IDLE]], mem)
                    if total != total or total == _INF:
                        status = HANDED_OVER
                        break
                    total = total if total > 0.0 else 0.0
                c0, c1 = act_i[a, A_CHOICE_START], act_i[a, A_CHOICE_STOP]
                for c in range(c0, c1):
                    i = choices[c]
                    w = 0.0
                    weighed = opt_i[i, O_WHEN_WEIGHT]
                    if weighed >= 0 and not (opt_i[i, O_ONCE] and mem[opt_i[i, O_COUNTER]] > 0.0):
                        w = call_native(fn[weighed], mem)
                        if w != w or w == _INF:
                            status = HANDED_OVER
                            break
                        w = w if w > 0.0 else 0.0
                    weights[c] = w
                    total += w
                if status != OK:
                    break
                u = _uniform(act_i[a, A_ROW], run_block, row_pos, row_offsets, row_sizes,
                             extra, extra_ready, root_words, run)
                if total > 0.0:
                    target_w = u * total
                    acc = 0.0
                    for c in range(c0, c1):
                        acc += weights[c]
                        if target_w < acc and weights[c] > 0.0:
                            fire = choices[c]
                            break
                src_time[which] = now + act_f[a, AF_EVERY]  # dropped below if the run ends
            if fire < 0:
                continue
            # ---- fire option `fire` at `now`
            i = fire
            if grid_due < now:
                g = grid_next
                while g < n_grid and grid[g] < now:
                    g += 1
                if g > grid_next:
                    seg_lo[n_seg], seg_hi[n_seg] = grid_next, g
                    for j in range(n_state):
                        seg_bin[n_seg, j] = cur_bin[j]
                    n_seg += 1
                grid_next = g
                grid_due = grid[g] if g < n_grid else _INF
            if n_ev >= max_events:
                status = HANDED_OVER
                break
            if n_ev >= buf_opt.shape[0]:
                buf_opt = _grow(buf_opt, n_ev + 1)
                buf_time = _grow(buf_time, n_ev + 1)
            buf_opt[n_ev], buf_time[n_ev] = i, now
            n_ev += 1
            mem[opt_i[i, O_COUNTER]] += 1.0
            for e in range(opt_i[i, O_EFF_START], opt_i[i, O_EFF_STOP]):
                if eff_i[e, E_KIND] == ASSIGN:
                    slot = eff_i[e, E_SLOT]
                    old = mem[slot]
                    prog = eff_i[e, E_VALUE]
                    value = eff_f[e, EF_VALUE] if prog < 0 else call_native(
                        fn[prog], mem)
                    new = old + value if eff_i[e, E_ADD] else value
                    if new < eff_f[e, EF_LO]:
                        new = eff_f[e, EF_LO]
                    elif new > eff_f[e, EF_HI]:
                        new = eff_f[e, EF_HI]
                    if eff_i[e, E_INTEGER]:
                        new = math.floor(new + 0.5)  # halves go up, not to even
                    if new != old:
                        mem[slot] = new
                        j = slot_state[slot]
                        if j >= 0:
                            cur_bin[j] = _bin(edges, edge_start[j], edge_start[j + 1], new)
                        if slot == ladder_slot:
                            if n_rung >= buf_rung.shape[0]:
                                buf_rung = _grow(buf_rung, n_rung + 1)
                                buf_rung_time = _grow(buf_rung_time, n_rung + 1)
                            buf_rung[n_rung], buf_rung_time[n_rung] = int(new), now
                            n_rung += 1
                    continue
                row = eff_i[e, E_ROW]
                u_chance = _uniform(row, run_block, row_pos, row_offsets, row_sizes, extra,
                                    extra_ready, root_words, run)
                u_delay = _uniform(row, run_block, row_pos, row_offsets, row_sizes, extra,
                                   extra_ready, root_words, run)
                chance = call_native(fn[eff_i[e, E_CHANCE]], mem)
                if not (0.0 <= chance <= 1.0):
                    if not (-ROUNDING <= chance <= 1.0 + ROUNDING):
                        status = HANDED_OVER  # an error the SimPy engine words
                        break
                    chance = min(max(chance, 0.0), 1.0)
                if u_chance >= chance:
                    continue
                dk = eff_i[e, E_DELAY_KIND]
                if dk == D_PROGRAM:
                    delay = call_native(fn[eff_i[e, E_DELAY_PROG]], mem)
                else:
                    delay = _delay(dk, eff_f[e, EF_D1], eff_f[e, EF_D2], eff_f[e, EF_D3],
                                   u_delay)
                if delay != delay or delay == math.inf or q_n >= QUEUE:
                    status = HANDED_OVER
                    break
                q_time[q_n] = now + (delay if delay > 0.0 else 0.0)
                q_seq[q_n] = alarm_int[3]
                alarm_int[3] += 1
                q_target[q_n] = eff_i[e, E_TARGET]
                q_n += 1
            if status != OK:
                break
            done = _reach(ap_ptr, ap_idx, i, fn, pred_program, pred_terminal, reached, mem,
                          now)
            if done:
                end_time = now
                break
            if opt_i[i, O_HAZARD]:
                u = _uniform(opt_i[i, O_CLOCK], run_block, row_pos, row_offsets, row_sizes,
                             extra, extra_ready, root_words, run)
                budget[i] = -math.log(1.0 - u)
                lam[i] = 0.0
                last[i] = now
            if not _rearm(ah_idx, ah_ptr[i], ah_ptr[i + 1], now, fn, mem, hz, opt_i,
                          hazards, alarm, alarm_int):
                status = HANDED_OVER
        status_out[k] = status
        if status != OK:
            ev_ptr[k + 1], rung_ptr[k + 1] = n_ev_total, n_rung_total
            continue
        # the state held to the end, on the grid times not yet recorded
        if grid_next < n_grid:
            seg_lo[n_seg], seg_hi[n_seg] = grid_next, n_grid
            for j in range(n_state):
                seg_bin[n_seg, j] = cur_bin[j]
            n_seg += 1
        for sg in range(n_seg):
            for j in range(n_state):
                base = hist_start[j]
                width = edge_start[j + 1] - edge_start[j] - 1
                hist[base + seg_lo[sg] * width + seg_bin[sg, j]] += 1
                hist[base + seg_hi[sg] * width + seg_bin[sg, j]] -= 1
        for p in range(n_pred):
            reached_out[k, p] = reached[p]
        for j in range(n_state):
            final_out[k, j] = mem[state_slots[j]]
        for i in range(n_opt):
            counts_out[k, i] = int(mem[opt_i[i, O_COUNTER]])
        n_events_out[k] = n_ev
        lapsed_out[k] = lapsed
        end_out[k] = end_time
        ev_opt = _grow(ev_opt, n_ev_total + n_ev)
        ev_time = _grow(ev_time, n_ev_total + n_ev)
        ev_opt[n_ev_total:n_ev_total + n_ev] = buf_opt[:n_ev]
        ev_time[n_ev_total:n_ev_total + n_ev] = buf_time[:n_ev]
        n_ev_total += n_ev
        ev_ptr[k + 1] = n_ev_total
        rung_val = _grow(rung_val, n_rung_total + n_rung)
        rung_time = _grow(rung_time, n_rung_total + n_rung)
        rung_val[n_rung_total:n_rung_total + n_rung] = buf_rung[:n_rung]
        rung_time[n_rung_total:n_rung_total + n_rung] = buf_rung_time[:n_rung]
        n_rung_total += n_rung
        rung_ptr[k + 1] = n_rung_total
    return ev_opt[:n_ev_total], ev_time[:n_ev_total], rung_val[:n_rung_total], \
        rung_time[:n_rung_total]
