"""Named mutants of sim/engine/: the verifier's comparison, the invariant checker, the
stop rules and the TLB flush scope per machine. Kept apart from mutants.py because
their snippets are anchored on sim/engine/engine.cpp as it is now: when the engine is
split into files (agents, stop-rule registry, verifier, stats), re-anchor each on the
file and text that then hold the same logic (the `why` says what to look for). Same
fields as mutants.py.
"""

ENGINE_CYCLES = {"exe": "s2sim-tests-engine", "filter": "EngineCycles*"}
STOP_RULES = {"exe": "s2sim-tests-engine", "filter": "StopRuleOutcomes*"}
FLUSH_SCOPE = {"exe": "s2sim-tests-engine", "filter": "TlbFlushScope*"}
INVARIANTS = {"exe": "s2sim-tests-engine", "filter": "InvariantChecker*"}
CAMPAIGN = {"exe": "s2sim-campaign", "args": ["--scenarios", "60"]}

ENGINE_MUTANTS = [
    dict(name="verifier_blind", file="sim/engine/engine.cpp",
         why="the verifier's comparison of source and copied versions never finds a difference",
         original="    if (s == d) continue;",
         mutant="    if (s >= d) continue;",
         tests=[CAMPAIGN, ENGINE_CYCLES]),
    dict(name="verifier_skips_every_chunk", file="sim/engine/engine.cpp",
         why="the verifier treats every 2 MiB chunk as never written and compares nothing",
         original="    if (!src_->chunk_touched(rel)) {\n      rel |= PageVersions::kChunk - 1;",
         mutant="    if (true) {\n      rel |= PageVersions::kChunk - 1;",
         tests=[CAMPAIGN, ENGINE_CYCLES]),
    dict(name="invariant_ignores_tlb_entries", file="sim/engine/engine.cpp",
         why="the invariant checker never looks at writable TLB entries",
         original="      if (!e.writable) continue;",
         mutant="      continue;",
         tests=[INVARIANTS, CAMPAIGN]),
    dict(name="invariant_ignores_tables", file="sim/engine/engine.cpp",
         why="the invariant checker never looks at writable leaves in the tables",
         original="    if (!d.writable()) return;",
         mutant="    return;",
         tests=[INVARIANTS]),
    dict(name="flush_ipa_by_ipa_on_every_machine", file="sim/engine/engine.cpp",
         why="per-IPA invalidation on ARMv7 too, which has no stage-2 TLBI by IPA (it is TLBIALLIS)",
         original="dropped += cfg_.machine.tlbi_by_ipa ? v.tlb.invalidate_ipa(kvm_->options.vmid, ipa)",
         mutant="dropped += true ? v.tlb.invalidate_ipa(kvm_->options.vmid, ipa)",
         tests=[FLUSH_SCOPE]),
    dict(name="flush_ipa_whole_vmid_on_every_machine", file="sim/engine/engine.cpp",
         why="a machine with TLBI IPAS2E1IS (Cortex-A57) still empties the whole VMID on a per-IPA request",
         original="dropped += cfg_.machine.tlbi_by_ipa ? v.tlb.invalidate_ipa(kvm_->options.vmid, ipa)",
         mutant="dropped += false ? v.tlb.invalidate_ipa(kvm_->options.vmid, ipa)",
         tests=[FLUSH_SCOPE]),
    dict(name="flush_remote_tlbs_invalidates_nothing", file="sim/engine/engine.cpp",
         why="kvm_flush_remote_tlbs charges its cost but drops no TLB entry",
         original="    dropped += v.tlb.invalidate_vmid(kvm_->options.vmid);\n    ++v.st.flushes_received;",
         mutant="    ++v.st.flushes_received;",
         tests=[CAMPAIGN, ENGINE_CYCLES]),
    dict(name="stop_rule_max_rounds_off_by_one", file="sim/engine/engine.cpp",
         why="max_rounds lets one more round run",
         original="  if (round >= cfg_.migration.max_rounds) {",
         mutant="  if (round > cfg_.migration.max_rounds) {",
         tests=[STOP_RULES]),
    dict(name="stop_rule_qemu_inverted", file="sim/engine/engine.cpp",
         why="QEMU's rule stops while the pending pages do not fit the downtime limit",
         original="    if (need <= limit) {",
         mutant="    if (need > limit) {",
         tests=[STOP_RULES]),
    dict(name="stop_rule_xen_min_pages", file="sim/engine/engine.cpp",
         why="Xen's last-round test compares the wrong way",
         original="    if (prev_sent < r.min_pages) {",
         mutant="    if (prev_sent > r.min_pages) {",
         tests=[STOP_RULES]),
    dict(name="stop_rule_threshold_strict", file="sim/engine/engine.cpp",
         why="the threshold rule needs fewer pending pages than its limit, not at most",
         original="  if (pending <= r.dirty_pages) {",
         mutant="  if (pending < r.dirty_pages) {",
         tests=[STOP_RULES, ENGINE_CYCLES]),
]
