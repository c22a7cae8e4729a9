# JPype (adapter_jpype.py): the object model in Java, java-model/ffi_identity/*.java,
# compiled by the installed JDK's javac into $(BUILD)/ffi_identity_model.jar,
# the jar the adapter puts on the JVM's class path. Beside it,
# ffi_identity_model.jdk names that JDK: the adapter starts its libjvm, so
# the JVM that runs the classes is the one that compiled them. jpype1 itself
# is a wheel (subjects.txt) and needs no build. Without javac nothing is
# built and the subject says what to install (default-jdk-headless, which
# make deps installs as root: subjects.txt).

JAVAC ?= javac
JPYPE_JAVAC := $(realpath $(shell command -v $(JAVAC) 2>/dev/null))

ifneq ($(JPYPE_JAVAC),)
JPYPE_JDK_HOME := $(patsubst %/bin/javac,%,$(JPYPE_JAVAC))
JPYPE_JAVA_SRC := $(wildcard harness/subjects/jpype/java-model/ffi_identity/*.java)
JPYPE_JAR = $(BUILD)/ffi_identity_model.jar
JPYPE_CLASSES = $(BUILD)/jpype/classes

# --release 11: the oldest Java JPype 1.7 runs on (its docs), so the jar
# loads in any JVM JPype supports.
$(JPYPE_JAR): $(JPYPE_JAVA_SRC) harness/subjects/jpype/jpype.mk
	@rm -rf $(JPYPE_CLASSES) && mkdir -p $(JPYPE_CLASSES)
	$(say) JAVAC $@
	$(Q)$(JPYPE_JAVAC) -Xlint:all -Werror --release 11 -d $(JPYPE_CLASSES) $(JPYPE_JAVA_SRC)
	$(Q)$(JPYPE_JDK_HOME)/bin/jar --create --file $@ -C $(JPYPE_CLASSES) .
	$(Q)echo '$(JPYPE_JDK_HOME)' > $(BUILD)/ffi_identity_model.jdk

ADAPTER_BUILDS += $(JPYPE_JAR)
endif
