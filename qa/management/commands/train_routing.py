"""`manage.py train_routing`: train the agency-and-topic suggestion now (qa.routing; docs/intake.md)."""

from django.core.management.base import BaseCommand

from qa.routing import train


class Command(BaseCommand):
    help = "Train the routing suggestion on the answered questions; prints both approaches' held-out figures."

    def handle(self, *args, **options):
        model = train()
        if model is None:
            self.stdout.write("Too little answered history (QA_ROUTING_MIN_QUESTIONS): no model trained.")
            return
        for name, figures in model.comparison.items():
            self.stdout.write(
                f"{name}: agency top-1 {figures['agency_top1']:.1%}, top-3 {figures['agency_top3']:.1%}, "
                f"topic {figures['topic_top1']:.1%}"
            )
        self.stdout.write(
            f"Model v{model.pk} ({model.approach}) trained on {model.questions} questions, "
            f"{model.held_out} held out, in {model.seconds} s."
        )
