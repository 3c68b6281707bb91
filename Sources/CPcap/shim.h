#ifndef SWITCHPOINT_CPCAP_SHIM_H
#define SWITCHPOINT_CPCAP_SHIM_H
#include <pcap/pcap.h>
#include <stdio.h>
#endif
