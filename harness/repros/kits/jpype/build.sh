#!/bin/sh
# Builds what repro.py loads, model.jar: Model.java compiled by the JDK's
# javac (apt-get install default-jdk-headless), for Java 11 and later.
set -e
cd "$(dirname "$0")"
rm -rf classes
javac --release 11 -d classes Model.java
jar --create --file model.jar -C classes .
rm -rf classes
