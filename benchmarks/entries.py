"""The six entries of the built-in sheet as a user sees them (no imports:
the floor server loads this too)."""

# The sheet's entries as a reader sees them: trigger, API name, entry title.
# The titles are the ones of the published sheet (tests/data/original-sheet.txt); a
# correct hover contains the title, a correct completion lists the trigger.
ENTRIES = [
    ("aioopen", "open_connection", "Open a TCP connection"),
    ("aioserver", "start_server", "Start a TCP server"),
    ("aioexec", "create_subprocess_exec", "Run a subprocess with exec"),
    ("aioshell", "create_subprocess_shell", "Run a shell command asynchronously"),
    ("aiothread", "to_thread", "Run blocking I/O in a thread"),
    ("aioexecutor", "run_in_executor", "Use `run_in_executor()`"),
]
TITLE_BY_API = {api: title for _, api, title in ENTRIES}
TRIGGERS = [t for t, _, _ in ENTRIES]
