package ffi_identity;

/** What an Add's operands and a Layout's offset are: a Var or an Add. */
public abstract class Expr extends Native {
}
