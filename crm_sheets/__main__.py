"""`python -m crm_sheets`: the command line, run by the interpreter named (how the OS schedulers start the job)."""

from .cli import main

main()
