__version__ = "0.1.0"

import warnings
# fastai's import triggers torch's deprecation notice for torch.jit.script; it is noise in a lesson.
warnings.filterwarnings('ignore', message=r'`torch.jit.script` is deprecated')

class MnistLessonsError(RuntimeError):
    "A problem the learner can fix (bad input, missing data, no GPU); the message says what to do"
