"""Reading the inputs: scenarios, theatres and the claims record, refused with a clear message when wrong.

- ``files``: input files read with guards (no devices, size limits, cache stamps); outputs written atomically.
- ``outputs``: which folders and files the simulator may write (markers, derived files).
- ``out_names``: the names ``--out`` may give, refused before any work is done (empty, the current folder, no parent).
- ``signatures``: the mark on the figures and reports it writes, by which it knows them for its own.
- ``folder_lock``: one writer per results folder (a lock), and no reader while it writes.
- ``safe_yaml``: strict YAML that remembers the file and line of every key.
- ``schema``: the scenario format as pydantic models (the start state, the union of event types, ``Scenario``).
- ``rule_parameters``: the rules' parameters in it (each faction's, combat's, the civilians').
- ``schema_types``: its building blocks (bounded numbers, the strict base model).
- ``paths``: parameters by dotted path or alias, their declared ranges, and setting them (``Scenario.with_params``).
- ``extends``: resolving a scenario's ``extends`` chain into one YAML tree.
- ``validation``: pydantic errors as ``InputError`` with file, line, key and did-you-mean.
- ``checks``: what a scenario names (towns, roads, posts, claims, dates) checked against the theatre and the record.
- ``timeline``: the events against each other (ceasefires the model cannot hold at once).
- ``kinds``: which kind of input a YAML file is (scenario, sweep, calibration), one rule for every command.
- ``scenario``: ``load_scenario`` (all of the above) and the content hash of a run's inputs.
- ``theatre``: towns, roads, posts and the border, loaded from CSV, with the neighbourhoods the model uses.
- ``theatre_tables``: a theatre's plain files (the YAML index, the CSV tables), each checked as it is read.
- ``claims``: the claims record that events and outcomes cite.
"""
