"""The export's next step as a Zappa task: on Lambda, calling it invokes the function again,
asynchronously (the role may invoke only its own function). Imported only when an export
continues in the background, so Zappa's module stays off every other request's cold start."""

from zappa.asynchronous import task

from staff.exports import run_export_step


@task
def export_step(job_id):
    run_export_step(job_id)
