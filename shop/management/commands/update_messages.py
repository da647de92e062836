"""`manage.py update_messages` (`make messages`): the translation catalogs from the code, without GNU gettext.

Extracts every marked message (config/catalogs.py), merges it into locale/<language>/LC_MESSAGES/
django.po for each language, and compiles the .mo files Django reads. `--check` changes nothing
and lists what keeps the catalogs from shipping (also a test: tests/config/test_catalogs.py).
"""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Extract the shop's messages into the .po catalogs and compile them (Babel; no gettext needed)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="change nothing; fail on untranslated messages")

    def handle(self, *args, check=False, **options):
        from config import catalogs

        template = catalogs.extract()
        if check:
            found = [
                problem
                for language in catalogs.translated_languages()
                for problem in catalogs.problems(language, template)
            ]
            if found:
                raise CommandError("\n".join(found))
            self.stdout.write(f"{len(template)} messages, translated in every language.")
            return
        for language in catalogs.translated_languages():
            catalogs.update(language, template)
            untranslated = sum(1 for message in catalogs.read(language) if message.id and not message.string)
            self.stdout.write(f"{language}: {len(template)} messages, {untranslated} to translate")
