"""Builds ndconv._ndconv with CMake (the repository's own build) for the
interpreter running pip, then lets setuptools install the package.

    /usr/bin/python3 -m pip install --no-build-isolation ./python

NDCONV_CMAKE_ARGS adds configure arguments; NDCONV_BUILD_JOBS sets the build
parallelism (default 2). The CMake build tree is <repo>/build/python-pip.
"""

import os
import pathlib
import shlex
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

REPO = pathlib.Path(__file__).resolve().parent.parent


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = REPO / "build" / "python-pip"
        configure = ["cmake", "-S", str(REPO), "-B", str(build_dir),
                     "-DCMAKE_BUILD_TYPE=Release", "-DNDCONV_PYTHON=ON",
                     "-DNDCONV_BUILD_TESTS=OFF", "-DNDCONV_BUILD_BENCH=OFF",
                     "-DNDCONV_BUILD_EXAMPLES=OFF", f"-DPython3_EXECUTABLE={sys.executable}"]
        configure += shlex.split(os.environ.get("NDCONV_CMAKE_ARGS", ""))
        subprocess.check_call(configure)
        subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "_ndconv",
                               "-j", os.environ.get("NDCONV_BUILD_JOBS", "2")])
        built = list((build_dir / "python" / "ndconv").glob("_ndconv*.so"))
        if len(built) != 1:
            raise RuntimeError(f"ndconv: expected one _ndconv*.so in {build_dir}, got {built}")
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], target)


setup(ext_modules=[Extension("ndconv._ndconv", sources=[])], cmdclass={"build_ext": CMakeBuild})
