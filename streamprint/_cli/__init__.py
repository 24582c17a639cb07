"""The ``streamprint`` command (private): parse, call the library, report.

``main`` only dispatches; each command's module holds its parser beside its runner;
``common`` has the option groups several commands share and the parameter-to-flag map;
``progress`` has progress bars, logging and the one-line summaries.
"""
