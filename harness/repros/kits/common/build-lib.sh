#!/bin/sh
# Builds libnative.so, the C library repro.py loads, beside this script.
set -e
cd "$(dirname "$0")"
${CC:-cc} -std=c11 -O1 -g -fPIC -shared -o libnative.so native.c -lpthread
