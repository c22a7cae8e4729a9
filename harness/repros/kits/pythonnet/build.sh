#!/bin/sh
# Builds what repro.py loads, model.dll: Model.cs compiled by Mono's C#
# compiler (apt-get install mono-devel).
set -e
cd "$(dirname "$0")"
mcs -nologo -target:library -out:model.dll Model.cs
