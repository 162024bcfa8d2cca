"""The Tadamon demo case: public facts with their sources, plus synthetic people."""

from dalil.demo.build import DEMO_ACTOR, BuildResult, build, load_data
from dalil.demo.training import TrainingResult, build_training

__all__ = ["DEMO_ACTOR", "BuildResult", "TrainingResult", "build", "build_training", "load_data"]
