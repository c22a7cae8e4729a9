/* Every property, in catalogue order. */
#include "../cf.h"

extern const cf_property cf_I1, cf_I2, cf_I3, cf_I4, cf_I5, cf_I6, cf_I7, cf_L1, cf_L2, cf_L3, cf_L4,
    cf_P1, cf_P2, cf_P3, cf_P4, cf_P5, cf_P6, cf_F1, cf_F2, cf_F3, cf_M1, cf_M2, cf_T1,
    cf_R1, cf_R2, cf_G1, cf_V1, cf_P7, cf_P8, cf_K1, cf_S1, cf_S2, cf_U1, cf_O1, cf_X1, cf_CB1;

const cf_property *const cf_properties[] = {
    &cf_I1, &cf_I2, &cf_I3, &cf_I4, &cf_I5, &cf_I6, &cf_I7,
    &cf_L1, &cf_L2, &cf_L3, &cf_L4,
    &cf_P1, &cf_P2, &cf_P3, &cf_P4, &cf_P5, &cf_P6,
    &cf_F1, &cf_F2, &cf_F3,
    &cf_M1, &cf_M2,
    &cf_T1,
    /* catalogue v2 */
    &cf_S1, &cf_S2,
    &cf_R1, &cf_R2, &cf_G1, &cf_V1,
    &cf_P7, &cf_P8, &cf_K1,
    &cf_U1, &cf_O1, &cf_X1, &cf_CB1,
    NULL
};
